import Foundation
package import OrderedJSON

/// Turns a Segment message (a `track`, `identify`, `page`, `screen`, `group` or `alias` call) into the
/// PostHog event PostHog's Segment integration makes of it, for the capture path to prepare and store.
package enum SegmentMessage {
    /// The call types Segment's tracking API has, each also its own `/v1/<type>` endpoint.
    package static let types = ["track", "identify", "page", "screen", "group", "alias"]

    /// Group calls whose traits don't say `group_type` land in this PostHog group type.
    package static let defaultGroupType = "segment_group"

    /// The PostHog event of `message`, or why there is none.
    /// - Parameter type: The call type the endpoint implies; `nil` for `/v1/batch`, where each message says its own.
    package static func posthogEvent(from message: JSONValue, type: String?) -> Result<JSONValue, SegmentMessageError> {
        guard let fields = message.objectValue else { return .failure(SegmentMessageError("a message must be a JSON object")) }
        guard let type = type ?? fields["type"]?.stringValue else {
            return .failure(SegmentMessageError("the message has no 'type' (track, identify, page, screen, group or alias)"))
        }
        guard types.contains(type) else {
            return .failure(SegmentMessageError("unknown message type '\(type)': use track, identify, page, screen, group or alias"))
        }
        let properties = fields["properties"]?.objectValue ?? JSONObject()
        let traits = fields["traits"]?.objectValue ?? fields["context"]?["traits"]?.objectValue ?? JSONObject()
        let context = fields["context"]?.objectValue ?? JSONObject()
        let userID = identifier(fields["userId"])
        var eventProperties = contextProperties(context)
        for (key, value) in properties { eventProperties[key] = value }
        var distinctID = userID ?? identifier(fields["anonymousId"])

        let name: String
        switch type {
        case "track":
            guard let event = fields["event"]?.stringValue, !event.isEmpty else {
                return .failure(SegmentMessageError("a track call needs an 'event' name"))
            }
            name = event
        case "identify":
            name = "$identify"
            eventProperties["$set"] = .object(traits)
            // With both ids, PostHog merges the anonymous person into the identified one.
            if userID != nil, let anonymousID = identifier(fields["anonymousId"]) {
                eventProperties["$anon_distinct_id"] = .string(anonymousID)
            }
        case "page":
            name = "$pageview"
            let page = context["page"]
            let url = properties["url"] ?? page?["url"]
            eventProperties["$current_url"] = url
            eventProperties["$pathname"] = properties["path"] ?? page?["path"] ?? url?.stringValue.flatMap { URL(string: $0)?.path }.map(JSONValue.string)
            eventProperties["$title"] = properties["title"] ?? page?["title"] ?? fields["name"]
            eventProperties["$referrer"] = properties["referrer"] ?? page?["referrer"]
            if let host = url?.stringValue.flatMap({ URL(string: $0)?.host }) { eventProperties["$host"] = .string(host) }
        case "screen":
            name = "$screen"
            eventProperties["$screen_name"] = fields["name"] ?? properties["name"]
        case "group":
            name = "$groupidentify"
            guard let groupKey = identifier(fields["groupId"]) else {
                return .failure(SegmentMessageError("a group call needs a 'groupId'"))
            }
            eventProperties["$group_type"] = traits["group_type"] ?? .string(defaultGroupType)
            eventProperties["$group_key"] = .string(groupKey)
            eventProperties["$group_set"] = .object(traits)
        default:  // alias
            name = "$create_alias"
            guard let newID = userID, let previousID = identifier(fields["previousId"]) else {
                return .failure(SegmentMessageError("an alias call needs 'previousId' and 'userId'"))
            }
            distinctID = previousID
            eventProperties["alias"] = .string(newID)
        }

        var event = JSONObject([("event", .string(name))])
        if let distinctID { event["distinct_id"] = .string(distinctID) }
        if let timestamp = fields["timestamp"] ?? fields["originalTimestamp"], timestamp != .null { event["timestamp"] = timestamp }
        if let messageID = fields["messageId"]?.stringValue {
            if let uuid = UUID(uuidString: messageID) {
                event["uuid"] = .string(uuid.uuidString.lowercased())
            } else {
                eventProperties["$segment_message_id"] = .string(messageID)
            }
        }
        event["properties"] = .object(eventProperties)
        return .success(.object(event))
    }

    /// Segment's `context` as PostHog's `$` properties.
    private static func contextProperties(_ context: JSONObject) -> JSONObject {
        let paths: [(property: String, path: [String])] = [
            ("$current_url", ["page", "url"]), ("$pathname", ["page", "path"]), ("$referrer", ["page", "referrer"]),
            ("$title", ["page", "title"]),
            ("$os", ["os", "name"]), ("$os_version", ["os", "version"]),
            ("$browser", ["browser", "name"]), ("$browser_version", ["browser", "version"]),
            ("$lib", ["library", "name"]), ("$lib_version", ["library", "version"]),
            ("$ip", ["ip"]), ("$raw_user_agent", ["userAgent"]),
            ("$device_id", ["device", "id"]), ("$device_type", ["device", "type"]),
            ("$device_manufacturer", ["device", "manufacturer"]), ("$device_model", ["device", "model"]),
            ("$device_name", ["device", "name"]),
            ("$app_name", ["app", "name"]), ("$app_version", ["app", "version"]), ("$app_build", ["app", "build"]),
            ("$app_namespace", ["app", "namespace"]),
            ("$screen_width", ["screen", "width"]), ("$screen_height", ["screen", "height"]),
            ("$screen_density", ["screen", "density"]),
            ("$network_wifi", ["network", "wifi"]), ("$network_carrier", ["network", "carrier"]),
            ("$network_cellular", ["network", "cellular"]), ("$network_bluetooth", ["network", "bluetooth"]),
            ("$timezone", ["timezone"]), ("$locale", ["locale"]),
            ("utm_campaign", ["campaign", "name"]), ("utm_source", ["campaign", "source"]),
            ("utm_medium", ["campaign", "medium"]), ("utm_term", ["campaign", "term"]), ("utm_content", ["campaign", "content"]),
        ]
        var properties = JSONObject()
        for (property, path) in paths {
            var value: JSONValue? = .object(context)
            for key in path { value = value?[key] }
            if let value, value != .null { properties[property] = value }
        }
        if properties["$lib"] == nil { properties["$lib"] = "segment" }
        return properties
    }

    /// A Segment id: a non-empty string, or a number as written.
    private static func identifier(_ value: JSONValue?) -> String? {
        guard let value, let text = CaptureBatch.text(value), !text.isEmpty else { return nil }
        return text
    }
}

/// Why one Segment message can't become an event.
package struct SegmentMessageError: Error, Sendable {
    package var reason: String

    init(_ reason: String) { self.reason = reason }
}
