import EventIngestion
import Foundation
import HTTPTypes
import Hummingbird
import OrderedJSON
import Storage

/// `GET /api/projects/:project_id/events/`: stored events, newest first, in PostHog's shape.
struct EventsController: Sendable {
    let authenticator: ManagementAuthenticator
    let store: any IngestionStore

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/projects/:project_id/events", summary: "List stored events, newest first", tag: .events,
                parameters: ["event", "distinct_id", "session_id", "after", "before", "limit", "cursor"], answers: [.json("EventPage")],
                errors: [.badRequest, .notFound], handler: list)
        ]
    }

    private func list(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let parameters = ManagementQuery(request)
        let limit = try parameters.limit(default: 100)
        var cursor: EventCursor?
        if let text = parameters["cursor"] {
            guard let decoded = Self.decodeCursor(text) else {
                throw APIError.invalidInput("'cursor' is not one this server gave out.", attribute: "cursor")
            }
            cursor = decoded
        }
        let query = EventQuery(
            teamID: project.id, event: parameters["event"], distinctID: parameters["distinct_id"],
            sessionID: parameters["session_id"], after: try parameters.time("after")?.iso8601, before: try parameters.time("before")?.iso8601, cursor: cursor,
            limit: limit)
        // One more than asked tells whether there is a next page.
        var page = try await store.events(with(query) { $0.limit += 1 })
        var next: JSONValue = .null
        if page.count > limit {
            page.removeLast()
            next = .string(nextURL(request, project: project, cursor: page[page.count - 1].cursor))
        }
        let results = page.map { Self.json(of: $0.event) }
        return Response.json(["results": .array(results), "next": next])
    }

    private func nextURL(_ request: Request, project: Project, cursor: EventCursor) -> String {
        var components = URLComponents()
        components.scheme = request.headers[.xForwardedProto] ?? "http"
        components.host = "localhost"
        components.path = "/api/projects/\(project.id)/events/"
        var items = ManagementQuery(request).parameters.filter { $0.key != "cursor" }.map {
            URLQueryItem(name: $0.key, value: $0.value)
        }
        items.append(URLQueryItem(name: "cursor", value: Self.encodeCursor(cursor)))
        components.queryItems = items.sorted { $0.name < $1.name }
        let authority = request.head.authority ?? "localhost"
        return "\(components.scheme!)://\(authority)\(components.percentEncodedPath)?\(components.percentEncodedQuery ?? "")"
    }

    static func json(of event: StoredEvent) -> JSONValue {
        let properties = (try? JSONValue.parse(event.properties)) ?? .object(JSONObject())
        return [
            "id": .string(event.uuid), "distinct_id": .string(event.distinctID), "properties": properties,
            "event": .string(event.event), "timestamp": .string(event.timestamp), "person": .null, "elements": [],
            "elements_chain": "",
        ]
    }

    static func encodeCursor(_ cursor: EventCursor) -> String {
        Data("\(cursor.timestamp)|\(cursor.position)".utf8).base64EncodedString()
    }

    static func decodeCursor(_ text: String) -> EventCursor? {
        guard let data = Data(base64Encoded: text) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "|")
        guard parts.count == 2, let position = Int64(parts[1]), Timestamp(iso8601: String(parts[0])) != nil else { return nil }
        return EventCursor(timestamp: String(parts[0]), position: position)
    }
}

/// A copy of `value` changed by `change`.
func with<Value>(_ value: Value, _ change: (inout Value) -> Void) -> Value {
    var copy = value
    change(&copy)
    return copy
}
