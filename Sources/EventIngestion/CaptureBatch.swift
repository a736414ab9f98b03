import Foundation
package import OrderedJSON
import Storage

/// The events of one capture request with the request-level fields found beside them.
package struct CaptureBatch: Sendable {
    /// The project token, from the first place PostHog looks that has one.
    package var token: String?
    /// `project_id`, which lets a personal API key stand in for the project token.
    package var projectID: Int?
    package var events: [JSONValue]
    /// When the client sent the request, for clock-skew correction; `nil` when absent or not a valid time.
    package var sentAt: Timestamp?

    /// Reads the batch out of a decoded payload.
    ///
    /// Token order (reference §4): query `token`, `api_key`; form `api_key`, `token`; then in the payload
    /// (its first element for an array) `$token`, `token`, `api_key`, `properties.token`.
    package init(payload: CapturePayload, query: [String: String]) throws(CaptureRejection) {
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

        if let underscore = query["_"], !underscore.isEmpty, underscore.utf8.allSatisfy({ (48...57).contains($0) }) {
            // posthog-js sends `_` as seconds (≤ 11 digits) or milliseconds; a number past Int64 is no time at all.
            let number = Int64(underscore)
            sentAt = number.flatMap { underscore.count <= 11 ? $0.multipliedReportingOverflow(by: 1000) : ($0, false) }
                .flatMap { $0.overflow ? nil : Timestamp(millisecondsSince1970: $0.partialValue) }
        } else if let text = json["sent_at"]?.stringValue ?? payload.form["sent_at"] {
            sentAt = Timestamp(iso8601: text)
        }
    }

    /// A scalar's text: strings as they are, numbers as written, booleans as `true`/`false`.
    package static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): string
        case .number(let number): number
        case .bool(let bool): bool ? "true" : "false"
        default: nil
        }
    }
}
