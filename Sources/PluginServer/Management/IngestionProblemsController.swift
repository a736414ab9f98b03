import EventIngestion
import Foundation
import Hummingbird
import OrderedJSON
import Storage

/// What ingestion could not take as it came: the project's ingestion warnings (events kept with a
/// correction) and its quarantine (events the process died on twice), with a replay for each.
struct IngestionProblemsController: Sendable {
    let authenticator: ManagementAuthenticator
    let store: any IngestionStore
    /// Wakes the team's ingestion loop for a replayed event.
    let wakeups: TeamWakeups

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/projects/:project_id/ingestion_warnings",
                summary: "What ingestion corrected in the project's events, by type, with counts per hour", tag: .ingestion,
                parameters: ["since"], answers: [.json("IngestionWarnings")], errors: [.badRequest, .notFound], handler: warnings),
            ManagementRoute(
                .get, "api/projects/:project_id/quarantined_events",
                summary: "Events the server died on twice while processing them", tag: .ingestion, parameters: ["limit"],
                answers: [.json("QuarantinedEvents")], errors: [.badRequest, .notFound], handler: quarantined),
            ManagementRoute(
                .post, "api/projects/:project_id/quarantined_events/:event_id/replay",
                summary: "Put a quarantined event back into the ingestion log", tag: .ingestion,
                answers: [.json("QuarantineReplay", .accepted)], errors: [.forbidden, .notFound], handler: replay),
        ]
    }

    private func warnings(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let since = try ManagementQuery(request).time("since")?.date ?? Date().addingTimeInterval(-7 * 86_400)
        let summaries = try await store.ingestionWarnings(teamID: project.id, since: since)
        var byType: [(type: String, hours: [IngestionWarningSummary])] = []
        for summary in summaries {
            if let index = byType.firstIndex(where: { $0.type == summary.type }) {
                byType[index].hours.append(summary)
            } else {
                byType.append((summary.type, [summary]))
            }
        }
        let results = byType.map { entry -> JSONValue in
            let latest = entry.hours.max { $0.lastSeen < $1.lastSeen }!
            return [
                "type": .string(entry.type),
                "count": JSONValue(entry.hours.reduce(0) { $0 + $1.count }),
                "last_seen": latest.lastSeen.jsonValue,
                "last_details": .stored(latest.lastDetails),
                "by_hour": .array(entry.hours.map { ["hour": $0.hour.jsonValue, "count": JSONValue($0.count)] }),
            ]
        }
        return Response.json(["since": since.jsonValue, "results": .array(results)])
    }

    private func quarantined(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let limit = try ManagementQuery(request).limit(default: 100)
        let events = try await store.quarantinedEvents(teamID: project.id, limit: limit)
        return Response.json(["results": .array(events.map(Self.json))])
    }

    private func replay(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        guard let text = context.parameters.get("event_id"), let id = Int64(text),
            let record = try await store.releaseQuarantinedEvent(id: id, teamID: project.id)
        else { throw APIError.notFound }
        await wakeups.notify(teams: [record.teamID])
        return Response.json(["status": "replayed", "uuid": .string(record.uuid)], status: .accepted)
    }

    private static func json(_ event: QuarantinedEvent) -> JSONValue {
        [
            "id": .number(String(event.id)), "uuid": .string(event.uuid), "distinct_id": .string(event.distinctID),
            "crashes": JSONValue(event.crashes), "quarantined_at": event.quarantinedAt.jsonValue,
            "event": (try? JSONValue.parse(event.payload)) ?? .null,
        ]
    }
}
