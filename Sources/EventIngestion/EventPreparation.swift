import Foundation
package import OrderedJSON
package import Storage

/// Where and when a capture request arrived; the fields capture adds to every event.
package struct CaptureOrigin: Sendable {
    package var ip: String?
    package var siteURL: String
    package var now: Timestamp
    /// `/engage` events are always `$identify`.
    package var isEngage: Bool

    package init(ip: String?, siteURL: String, now: Timestamp, isEngage: Bool) {
        self.ip = ip
        self.siteURL = siteURL
        self.now = now
        self.isEngage = isEngage
    }
}

/// Checks one event of a batch and turns it into the event the plugin chain gets (PostHog's `PluginEvent`).
package enum EventPreparation {
    package struct Rejection: Error, Sendable {
        package var index: Int
        package var reason: String

        package init(index: Int, reason: String) {
            self.index = index
            self.reason = reason
        }
    }

    /// Longest event name and `distinct_id` kept, in characters; longer ones are cut, as PostHog cuts them.
    package static let maximumNameLength = 200

    package static func prepare(
        _ value: JSONValue, index: Int, project: Project, origin: CaptureOrigin, sentAt: Timestamp?
    ) -> Result<IngestionRecord, Rejection> {
        guard case .object(var event) = value else {
            return .failure(Rejection(index: index, reason: "an event must be a JSON object"))
        }
        if origin.isEngage { event["event"] = "$identify" }
        guard let name = event["event"]?.stringValue, !name.isEmpty else {
            return .failure(Rejection(index: index, reason: "the event has no 'event' name"))
        }
        if name.count > maximumNameLength { event["event"] = .string(String(name.prefix(maximumNameLength))) }
        let properties = event["properties"] ?? .object(JSONObject())
        guard let propertiesObject = properties.objectValue else {
            return .failure(Rejection(index: index, reason: "'properties' must be an object"))
        }
        if SessionRecording.isRecording(name), let problem = SessionRecording.problem(with: propertiesObject, eventName: name) {
            return .failure(Rejection(index: index, reason: problem))
        }
        let distinctIDValue = [event["$distinct_id"], properties["distinct_id"], event["distinct_id"]]
            .lazy.compactMap { $0 }.first { $0 != .null }
        guard let distinctIDValue, let distinctIDText = CaptureBatch.text(distinctIDValue) ?? serializedIfComposite(distinctIDValue),
            !distinctIDText.isEmpty
        else {
            return .failure(Rejection(index: index, reason: "the event has no distinct_id"))
        }
        let distinctID = String(distinctIDText.prefix(maximumNameLength))

        let uuid: String
        if let given = event["uuid"], given != .null {
            guard let text = given.stringValue, let parsed = UUID(uuidString: text) else {
                return .failure(Rejection(index: index, reason: "'uuid' is not a valid UUID"))
            }
            uuid = parsed.uuidString.lowercased()
        } else {
            uuid = UUIDv7.make(at: origin.now)
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
