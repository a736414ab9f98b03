import EventIngestion
import Foundation
import Hummingbird
import OrderedJSON
import Storage

/// `GET /api/projects/:project_id/plugin_usage/`: the project's plugin-seconds, the seeds' billing
/// metric, in total, per config and per hour.
struct PluginUsageController: Sendable {
    let authenticator: ManagementAuthenticator
    let recorder: PluginUsageRecorder

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/projects/:project_id/plugin_usage", summary: "Time spent in the project's plugin code",
                tag: .ingestion, parameters: ["since"], answers: [.json("PluginUsage")], errors: [.badRequest, .notFound],
                handler: usage)
        ]
    }

    private func usage(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let since = try ManagementQuery(request).time("since")?.date ?? Date().addingTimeInterval(-30 * 86_400)
        let rows = try await recorder.usage(teamID: project.id, since: since)

        func totals(by key: (PluginUsage) -> Int) -> [(key: Int, seconds: Double, calls: Int)] {
            var totals: [Int: (seconds: Double, calls: Int)] = [:]
            for row in rows {
                totals[key(row), default: (0, 0)].seconds += row.seconds
                totals[key(row), default: (0, 0)].calls += row.calls
            }
            return totals.sorted { $0.key < $1.key }.map { ($0.key, $0.value.seconds, $0.value.calls) }
        }
        let byConfig = totals { $0.pluginConfigID }.map { entry -> JSONValue in
            ["plugin_config_id": JSONValue(entry.key), "plugin_seconds": JSONValue(entry.seconds), "calls": JSONValue(entry.calls)]
        }
        let byHour = totals { Int($0.hour.timeIntervalSince1970) }.map { entry -> JSONValue in
            [
                "hour": .string(Timestamp(Date(timeIntervalSince1970: Double(entry.key))).iso8601),
                "plugin_seconds": JSONValue(entry.seconds), "calls": JSONValue(entry.calls),
            ]
        }
        return Response.json([
            "project_id": JSONValue(project.id),
            "since": .string(Timestamp(since).iso8601),
            "plugin_seconds": JSONValue(rows.reduce(0) { $0 + $1.seconds }),
            "calls": JSONValue(rows.reduce(0) { $0 + $1.calls }),
            "by_config": .array(byConfig),
            "by_hour": .array(byHour),
        ])
    }
}
