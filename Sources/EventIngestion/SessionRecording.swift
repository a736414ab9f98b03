package import OrderedJSON

/// Session recordings as posthog-js sends them to `/s/`: `$snapshot` events whose `$snapshot_data` is one
/// rrweb event (older posthog-js) or an array of them (newer posthog-js sends each flush as one event), with
/// the tab's `$session_id` and `$window_id`; and `$snapshot_items` events, PostHog's newer form of a batch
/// (its capture merges a request's `$snapshot`s into one, the rrweb events in `$snapshot_items`), which
/// forwarders and replays of PostHog's recordings send.
package enum SessionRecording {
    package static let snapshotEvent = "$snapshot"
    package static let snapshotItemsEvent = "$snapshot_items"
    /// Longest `$session_id` kept: posthog-js's are UUIDs of 36 characters, and an index holds each one.
    package static let maximumSessionIDLength = 200

    /// Whether an event of this name is a recording batch, which skips `processEvent` and goes to `onSnapshot`.
    package static func isRecording(_ eventName: String) -> Bool {
        eventName == snapshotEvent || eventName == snapshotItemsEvent
    }

    /// The properties' `$session_id` when it is one the events API can filter by: a string of 1 to 200 characters.
    package static func sessionID(in properties: JSONObject) -> String? {
        guard let sessionID = properties["$session_id"]?.stringValue, !sessionID.isEmpty,
            sessionID.count <= maximumSessionIDLength
        else { return nil }
        return sessionID
    }

    /// Why a recording event (`eventName` is `$snapshot` or `$snapshot_items`) with these properties can't be kept;
    /// `nil` when it can. PostHog's capture refuses a recording without a session or without data, since no
    /// replay could be made of it.
    static func problem(with properties: JSONObject, eventName: String) -> String? {
        guard sessionID(in: properties) != nil else {
            return "a \(eventName) event needs properties.$session_id, a string of 1 to \(maximumSessionIDLength) characters"
        }
        switch (eventName, properties[eventName == snapshotEvent ? "$snapshot_data" : "$snapshot_items"]) {
        case (snapshotEvent, .object?), (snapshotEvent, .array?), (snapshotItemsEvent, .array?): return nil
        case (snapshotEvent, _): return "a $snapshot event needs properties.$snapshot_data, an rrweb event or an array of them"
        default: return "a $snapshot_items event needs properties.$snapshot_items, an array of rrweb events"
        }
    }
}
