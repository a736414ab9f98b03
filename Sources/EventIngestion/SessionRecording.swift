package import OrderedJSON

/// Session recordings as posthog-js sends them to `/s/`: `$snapshot` events whose `$snapshot_data` is one
/// rrweb event (older posthog-js) or an array of them (newer posthog-js sends each flush as one event), with
/// the tab's `$session_id` and `$window_id`.
package enum SessionRecording {
    package static let snapshotEvent = "$snapshot"
    /// Longest `$session_id` kept: posthog-js's are UUIDs of 36 characters, and an index holds each one.
    package static let maximumSessionIDLength = 200

    /// The properties' `$session_id` when it is one the events API can filter by: a string of 1 to 200 characters.
    package static func sessionID(in properties: JSONObject) -> String? {
        guard let sessionID = properties["$session_id"]?.stringValue, !sessionID.isEmpty,
            sessionID.count <= maximumSessionIDLength
        else { return nil }
        return sessionID
    }

    /// Why a `$snapshot` event with these properties can't be kept; `nil` when it can. PostHog's capture refuses a
    /// recording without a session or without data, since no replay could be made of it.
    static func problem(with properties: JSONObject) -> String? {
        guard sessionID(in: properties) != nil else {
            return "a $snapshot event needs properties.$session_id, a string of 1 to \(maximumSessionIDLength) characters"
        }
        switch properties["$snapshot_data"] {
        case .object?, .array?: return nil
        default: return "a $snapshot event needs properties.$snapshot_data, an rrweb event or an array of them"
        }
    }
}
