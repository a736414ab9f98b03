import Foundation
package import OrderedJSON
package import Storage

/// Turns the chain's result into what ingestion stores, as PostHog's `ingestEvent` does.
///
/// The chain's output comes from plugins, so every field is checked: a timestamp that can't be read or
/// lies outside the years 0000–9999 becomes the time the event arrived, with an ingestion warning.
package enum EventFinalizer {
    /// Work a config gets after the chain: `onEvent`, `onSnapshot`, or the event in its export buffer.
    package struct FollowUpWork: Sendable, Equatable {
        package var pluginConfigID: Int
        package var kind: WorkKind

        package init(pluginConfigID: Int, kind: WorkKind) {
            self.pluginConfigID = pluginConfigID
            self.kind = kind
        }
    }

    /// PostHog ingests an event more than 23 hours in the future at the time it arrived, with a warning.
    package static let futureCutoffMilliseconds: Int64 = 23 * 3_600_000

    /// - Parameters:
    ///   - event: The event as JSON after the chain; `nil` when a plugin dropped it.
    ///   - droppedBy: The config that dropped it, as `name (id)`.
    package static func outcome(
        for record: IngestionRecord, event eventBytes: [UInt8]?, droppedBy: String?, followUps: [FollowUpWork]
    ) -> IngestionOutcome {
        guard let eventBytes else {
            let name = (try? JSONValue.parse(record.payload))?["event"]?.stringValue ?? ""
            return IngestionOutcome(
                sequence: record.sequence ?? 0, teamID: record.teamID, uuid: record.uuid, distinctID: record.distinctID,
                result: .dropped(event: name, droppedBy: droppedBy ?? "unknown"))
        }
        // Without follow-up work only a few fields are needed: they are read where the chain wrote them.
        if followUps.isEmpty, let written = WrittenEvent(eventBytes) {
            return outcome(
                for: record, fields: written.fields, properties: written.properties, sessionID: written.sessionID,
                data: eventBytes, warnings: [], work: { _ in [] })
        }
        var warnings: [IngestionWarning] = []
        var bytes = eventBytes
        let event: JSONObject
        if case .object(let object)? = try? JSONValue.parse(eventBytes) {
            event = object
        } else {
            // The runtime only hands on JSON objects; should that ever fail, the event is kept as it was accepted.
            warnings.append(warning("invalid_chain_output", uuid: record.uuid, field: "event", value: nil, reason: "not a JSON object"))
            bytes = record.payload
            event = (try? JSONValue.parse(record.payload))?.objectValue ?? JSONObject()
        }
        var properties = event["properties"]?.objectValue ?? JSONObject()
        // As PostHog's ingestion: the client's address becomes `$ip` unless the event has one.
        if properties["$ip"] == nil, let ip = event["ip"]?.stringValue { properties["$ip"] = .string(ip) }
        return outcome(
            for: record, fields: event, properties: JSONValue.object(properties).serializedString,
            sessionID: SessionRecording.sessionID(in: properties), data: bytes, warnings: warnings,
            work: { timestamp in
                work(for: followUps, event: event, properties: properties, timestamp: timestamp, record: record)
            })
    }

    /// The stored event from the chain's top-level `fields` (name, distinct_id, the time fields) and its
    /// properties as they will be stored.
    private static func outcome(
        for record: IngestionRecord, fields event: JSONObject, properties: String, sessionID: String?, data: [UInt8],
        warnings: [IngestionWarning], work: (_ timestamp: String) -> [NewWorkItem]
    ) -> IngestionOutcome {
        var warnings = warnings
        let name = event["event"].flatMap { $0.stringValue ?? CaptureBatch.text($0) }.map(truncated) ?? ""
        let distinctID = event["distinct_id"].flatMap(CaptureBatch.text).map(truncated) ?? record.distinctID
        let timestamp = resolvedTimestamp(of: event, uuid: record.uuid, warnings: &warnings).iso8601
        let stored = StoredEvent(
            uuid: record.uuid, teamID: record.teamID, event: name, distinctID: distinctID, timestamp: timestamp,
            properties: properties, data: data, sessionID: sessionID)
        return IngestionOutcome(
            sequence: record.sequence ?? 0, teamID: record.teamID, uuid: record.uuid, distinctID: distinctID,
            result: .stored(stored), work: work(timestamp), warnings: warnings)
    }

    /// The chain's output read without parsing all of it: its top-level fields other than `properties` are
    /// parsed, and `properties` is kept as written, with `$ip` added as the full parse would add it. Nil when the
    /// output isn't in the form ``OrderedJSON/JSONValue/serialized()`` writes or `properties` isn't an object;
    /// the full parse takes those.
    private struct WrittenEvent {
        var fields = JSONObject()
        var properties = ""
        var sessionID: String?

        init?(_ bytes: [UInt8]) {
            let found: Bool = bytes.withUnsafeBufferPointer { buffer in
                func value(at range: Range<Int>) -> JSONValue? {
                    try? JSONValue.parse(UnsafeBufferPointer(rebasing: buffer[range]))
                }
                guard let (members, propertyMembers) = JSONValue.writtenMembers(
                    of: buffer, in: 0..<buffer.count, expanding: "properties"),
                    let propertyMembers,
                    let properties = members.first(where: { buffer[$0.key].elementsEqual("properties".utf8) })?.value
                else { return false }
                for member in members {
                    guard let name = Self.fieldNames.first(where: { buffer[member.key].elementsEqual($0.utf8) }) else { continue }
                    guard let value = value(at: member.value) else { return false }
                    fields[name] = value
                }
                var hasIP = false
                for member in propertyMembers {
                    if buffer[member.key].elementsEqual("$ip".utf8) {
                        hasIP = true
                    } else if buffer[member.key].elementsEqual("$session_id".utf8) {
                        guard let value = value(at: member.value) else { return false }
                        sessionID = SessionRecording.sessionID(in: JSONObject([(key: "$session_id", value: value)]))
                    }
                }
                let written = UnsafeBufferPointer(rebasing: buffer[properties])
                // As PostHog's ingestion: the client's address becomes `$ip` unless the event has one.
                if !hasIP, let ip = fields["ip"]?.stringValue {
                    var text = Array(written.dropLast())
                    if !propertyMembers.isEmpty { text.append(UInt8(ascii: ",")) }
                    text.append(contentsOf: #""$ip":"#.utf8)
                    text.append(contentsOf: JSONValue.string(ip).serialized())
                    text.append(UInt8(ascii: "}"))
                    self.properties = String(decoding: text, as: UTF8.self)
                } else {
                    self.properties = String(decoding: written, as: UTF8.self)
                }
                return true
            }
            if !found { return nil }
        }

        /// The top-level fields finalizing reads.
        private static let fieldNames = ["event", "distinct_id", "ip", "now", "sent_at", "timestamp", "offset"]
    }

    private static func truncated(_ text: String) -> String {
        text.count > EventPreparation.maximumNameLength ? String(text.prefix(EventPreparation.maximumNameLength)) : text
    }

    /// The work the chain asked for, each carrying the processed event (PostHog's `ProcessedPluginEvent`:
    /// the final event with its stored timestamp, properties and uuid).
    private static func work(
        for followUps: [FollowUpWork], event: JSONObject, properties: JSONObject, timestamp: String, record: IngestionRecord
    ) -> [NewWorkItem] {
        guard !followUps.isEmpty else { return [] }
        var processed = event
        processed["properties"] = .object(properties)
        processed["timestamp"] = .string(timestamp)
        processed["uuid"] = .string(record.uuid)
        processed["team_id"] = JSONValue(record.teamID)
        let payload = JSONValue.object(processed).serialized()
        let now = Date()
        return followUps.map { followUp in
            NewWorkItem(kind: followUp.kind, pluginConfigID: followUp.pluginConfigID, teamID: record.teamID, payload: payload, runAt: now)
        }
    }

    /// PostHog's `parseEventTimestamp`: with `timestamp` and `sent_at`, the client's clock skew is removed
    /// (`now + (timestamp − sent_at)`); with only `timestamp`, it stands; else `now − offset` ms; else `now`.
    /// A field that can't be read is ignored with a warning, and a result that can't be a time, or is more
    /// than 23 hours ahead of `now`, gives `now` with a warning.
    package static func resolvedTimestamp(of event: JSONObject, uuid: String, warnings: inout [IngestionWarning]) -> Timestamp {
        let now = event["now"]?.stringValue.flatMap { Timestamp(iso8601: $0) } ?? .now
        func ignore(_ field: String, _ value: JSONValue?, _ reason: String) -> Timestamp {
            warnings.append(warning("ignored_invalid_timestamp", uuid: uuid, field: field, value: value, reason: reason))
            return now
        }
        var sentAt: Timestamp?
        if let value = event["sent_at"], isGiven(value) {
            sentAt = parseTime(value)
            if sentAt == nil { _ = ignore("sent_at", value, "not a time in the years 0000–9999") }
        }
        let resolved: Timestamp
        if let value = event["timestamp"], isGiven(value) {
            guard let timestamp = parseTime(value) else { return ignore("timestamp", value, "not a time in the years 0000–9999") }
            if let sentAt {
                guard let corrected = now.adding(milliseconds: timestamp.milliseconds(since: sentAt)) else {
                    return ignore("timestamp", value, "correcting the clock skew (sent_at) leaves the years 0000–9999")
                }
                resolved = corrected
            } else {
                resolved = timestamp
            }
        } else if let value = event["offset"], isGiven(value) {
            guard let offset = value.doubleValue, offset.isFinite, let milliseconds = Int64(exactly: offset.rounded(.towardZero)),
                milliseconds != .min, let corrected = now.adding(milliseconds: -milliseconds)
            else { return ignore("offset", value, "not a number of milliseconds that gives a time in the years 0000–9999") }
            resolved = corrected
        } else {
            resolved = now
        }
        if resolved.milliseconds(since: now) > futureCutoffMilliseconds {
            warnings.append(
                warning(
                    "event_timestamp_in_future", uuid: uuid, field: "timestamp", value: .string(resolved.iso8601),
                    reason: "more than 23 hours after the event arrived; the arrival time is used"))
            return now
        }
        return resolved
    }

    /// As PostHog's truthiness test: `null`, `""`, `0` and `false` count as not given.
    private static func isGiven(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false), .string(""): false
        case .number: value.doubleValue != 0
        default: true
        }
    }

    /// An ISO 8601 string, or a number of milliseconds since 1970.
    private static func parseTime(_ value: JSONValue) -> Timestamp? {
        switch value {
        case .string(let text): Timestamp(iso8601: text)
        case .number: value.doubleValue.flatMap { Timestamp(millisecondsSince1970: $0) }
        default: nil
        }
    }

    /// A warning with PostHog's detail fields; the value is quoted as JSON, cut to 200 characters.
    private static func warning(_ type: String, uuid: String, field: String, value: JSONValue?, reason: String) -> IngestionWarning {
        var details = JSONObject([("eventUuid", .string(uuid)), ("field", .string(field))])
        if let value {
            let text = value.serializedString
            details["value"] = .string(text.count > 200 ? String(text.prefix(200)) + "…" : text)
        }
        details["reason"] = .string(reason)
        return IngestionWarning(type: type, details: JSONValue.object(details).serializedString)
    }
}
