import Foundation
import OrderedJSON
import Storage

/// The events of one capture request with the request-level fields found beside them.
struct CaptureBatch: Sendable {
    /// The project token, from the first place PostHog looks that has one.
    var token: String?
    /// `project_id`, which lets a personal API key stand in for the project token.
    var projectID: Int?
    var events: [JSONValue]
    /// When the client sent the request, for clock-skew correction.
    var sentAt: Timestamp?

    /// Reads the batch out of a decoded payload.
    ///
    /// Token order (reference §4): query `token`, `api_key`; form `api_key`, `token`; then in the payload
    /// (its first element for an array) `$token`, `token`, `api_key`, `properties.token`.
    init(payload: CapturePayload, query: [String: String]) throws(APIError) {
        let json = payload.json
        switch json {
        case .array(let elements):
            events = elements
        case .object(let object):
            if let batch = object["batch"] {
                guard case .array(let elements) = batch else { throw .invalidPayload("'batch' must be an array of events.") }
                events = elements
            } else {
                events = [json]
            }
        default:
            throw .invalidPayload("The payload must be an event object, an array of events, or {\"batch\": [...]}.")
        }

        let first = json.arrayValue?.first ?? json
        let candidates: [String?] = [
            query["token"], query["api_key"], payload.form["api_key"], payload.form["token"],
            first["$token"]?.stringValue, first["token"]?.stringValue, first["api_key"]?.stringValue,
            first["properties"]?["token"]?.stringValue,
        ]
        token = candidates.lazy.compactMap { $0 }.first { !$0.isEmpty }
        projectID = (query["project_id"] ?? first["project_id"].flatMap(Self.text)).flatMap { Int($0) }

        if let underscore = query["_"], !underscore.isEmpty, underscore.allSatisfy(\.isNumber), let number = Int64(underscore) {
            // posthog-js sends `_` as seconds (≤ 11 digits) or milliseconds.
            sentAt = Timestamp(millisecondsSince1970: underscore.count <= 11 ? number * 1000 : number)
        } else if let text = json["sent_at"]?.stringValue ?? payload.form["sent_at"] {
            sentAt = Timestamp(iso8601: text)
        }
    }

    /// A scalar's text: strings as they are, numbers as written, booleans as `true`/`false`.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): string
        case .number(let number): number
        case .bool(let bool): bool ? "true" : "false"
        default: nil
        }
    }
}

/// Where and when a capture request arrived; the fields capture adds to every event.
struct CaptureOrigin: Sendable {
    var ip: String?
    var siteURL: String
    var now: Timestamp
    /// `/engage` events are always `$identify`.
    var isEngage: Bool
}

/// Checks one event of a batch and turns it into the event the plugin chain gets (PostHog's `PluginEvent`).
enum EventPreparation {
    struct Rejection: Error, Sendable {
        var index: Int
        var reason: String
    }

    static func prepare(
        _ value: JSONValue, index: Int, project: Project, origin: CaptureOrigin, sentAt: Timestamp?
    ) -> Result<IngestionRecord, Rejection> {
        guard case .object(var event) = value else {
            return .failure(Rejection(index: index, reason: "an event must be a JSON object"))
        }
        if origin.isEngage { event["event"] = "$identify" }
        guard let name = event["event"]?.stringValue, !name.isEmpty else {
            return .failure(Rejection(index: index, reason: "the event has no 'event' name"))
        }
        let properties = event["properties"] ?? .object(JSONObject())
        guard properties.objectValue != nil else {
            return .failure(Rejection(index: index, reason: "'properties' must be an object"))
        }
        let distinctIDValue = [event["$distinct_id"], properties["distinct_id"], event["distinct_id"]]
            .lazy.compactMap { $0 }.first { $0 != .null }
        guard let distinctIDValue, let distinctIDText = CaptureBatch.text(distinctIDValue) ?? serializedIfComposite(distinctIDValue),
            !distinctIDText.isEmpty
        else {
            return .failure(Rejection(index: index, reason: "the event has no distinct_id"))
        }
        let distinctID = String(distinctIDText.prefix(200))

        let uuid: String
        if let given = event["uuid"], given != .null {
            guard let text = given.stringValue, let parsed = UUID(uuidString: text) else {
                return .failure(Rejection(index: index, reason: "'uuid' is not a valid UUID"))
            }
            uuid = parsed.uuidString.lowercased()
        } else {
            uuid = UUIDv7.make(at: origin.now).uuidString.lowercased()
        }

        event["properties"] = properties
        event["distinct_id"] = .string(distinctID)
        event["ip"] = project.anonymizeIPs ? .null : origin.ip.map(JSONValue.string) ?? .null
        event["site_url"] = .string(origin.siteURL)
        event["team_id"] = JSONValue(project.id)
        event["now"] = .string(origin.now.iso8601)
        event["sent_at"] = sentAt.map { .string($0.iso8601) } ?? .null
        event["uuid"] = .string(uuid)
        return .success(
            IngestionRecord(teamID: project.id, uuid: uuid, distinctID: distinctID, payload: JSONValue.object(event).serialized()))
    }

    private static func serializedIfComposite(_ value: JSONValue) -> String? {
        switch value {
        case .array, .object: value.serializedString
        default: nil
        }
    }
}
