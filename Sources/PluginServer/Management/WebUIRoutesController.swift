import Hummingbird
import OrderedJSON
import Storage

/// Routes the web UI's catalogue and live events pages read: `…/plugin_catalogue/` (the plugins one can
/// install by URL) and `…/live_events/` (the project's latest processed events, input and output).
struct WebUIRoutesController: Sendable {
    let authenticator: ManagementAuthenticator
    let catalogue: PluginCatalogue
    let liveEvents: LiveEventFeed

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/organizations/:organization_id/plugin_catalogue", summary: "Known public plugins to install by URL",
                tag: .plugins, answers: [.json("PluginCatalogue")], errors: [.notFound], handler: listCatalogue),
            ManagementRoute(
                .get, "api/projects/:project_id/live_events",
                summary: "The project's latest processed events, as they come, with the input the ingestion log held",
                tag: .events, parameters: ["live_after", "event", "distinct_id", "limit"], answers: [.json("LiveEventPage")],
                errors: [.badRequest, .notFound], handler: listLiveEvents),
        ]
    }

    private func listCatalogue(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let organizationID = try await authenticator.organizationID(of: request)
        let requested = context.parameters.get("organization_id")
        guard requested == "@current" || requested == String(organizationID) else { throw APIError.notFound }
        return Response.json(["results": .array(catalogue.entries)])
    }

    private func listLiveEvents(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let parameters = ManagementQuery(request)
        let limit = try parameters.limit(default: 100)
        var after: Int?
        if let text = parameters["after"] {
            guard let sequence = Int(text), sequence >= 0 else {
                throw APIError.invalidInput("'after' must be a 'cursor' this route gave out.", attribute: "after")
            }
            after = sequence
        }
        liveEvents.watch(teamID: project.id)
        let (entries, latest) = liveEvents.entries(
            teamID: project.id, after: after, event: parameters["event"], distinctID: parameters["distinct_id"], limit: limit)
        return Response.json(["results": .array(entries.map(Self.json)), "cursor": JSONValue(latest)])
    }

    private static func json(_ entry: LiveEventFeed.Entry) -> JSONValue {
        func object(_ bytes: [UInt8]?) -> JSONValue { bytes.flatMap { try? JSONValue.parse($0) } ?? .null }
        return [
            "sequence": JSONValue(entry.sequence), "uuid": .string(entry.uuid), "event": .string(entry.event),
            "distinct_id": .string(entry.distinctID), "timestamp": entry.timestamp.map(JSONValue.string) ?? .null,
            "dropped_by": entry.droppedBy.map(JSONValue.string) ?? .null, "input": object(entry.input),
            "output": object(entry.output),
        ]
    }
}
