import Foundation
import OrderedJSON
import PluginRuntime
import Storage

/// Turns the chain's result into what ingestion stores, as PostHog's `ingestEvent` does.
enum EventFinalizer {
    static func outcome(for record: IngestionRecord, result: ChainResult) -> IngestionOutcome {
        let sequence = record.sequence ?? 0
        guard let bytes = result.event, case .object(let event)? = try? JSONValue.parse(bytes) else {
            let name = (try? JSONValue.parse(record.payload))?["event"]?.stringValue ?? ""
            return IngestionOutcome(
                sequence: sequence, teamID: record.teamID, uuid: record.uuid, distinctID: record.distinctID,
                result: .dropped(event: name, droppedBy: result.droppedBy ?? "unknown"))
        }
        let name = event["event"].flatMap { $0.stringValue ?? CaptureBatch.text($0) } ?? ""
        let distinctID = event["distinct_id"].flatMap(CaptureBatch.text) ?? record.distinctID
        var properties = event["properties"]?.objectValue ?? JSONObject()
        // As PostHog's ingestion: the client's address becomes `$ip` unless the event has one.
        if properties["$ip"] == nil, let ip = event["ip"]?.stringValue { properties["$ip"] = .string(ip) }
        let timestamp = correctedTimestamp(of: event).iso8601
        let stored = StoredEvent(
            uuid: record.uuid, teamID: record.teamID, event: name, distinctID: distinctID, timestamp: timestamp,
            properties: JSONValue.object(properties).serializedString, data: bytes)
        return IngestionOutcome(
            sequence: sequence, teamID: record.teamID, uuid: record.uuid, distinctID: distinctID, result: .stored(stored),
            work: work(for: result.followUps, event: event, properties: properties, timestamp: timestamp, record: record))
    }

    /// The work the chain asked for, each carrying the processed event (PostHog's `ProcessedPluginEvent`:
    /// the final event with its stored timestamp, properties and uuid).
    private static func work(
        for followUps: [FollowUp], event: JSONObject, properties: JSONObject, timestamp: String, record: IngestionRecord
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
            let kind: WorkKind =
                switch followUp.kind {
                case .onEvent: .onEvent
                case .onSnapshot: .onSnapshot
                case .exportEvents: .exportEvent
                }
            return NewWorkItem(kind: kind, pluginConfigID: followUp.pluginConfigID, teamID: record.teamID, payload: payload, runAt: now)
        }
    }

    /// PostHog's `handleTimestamp`: with `timestamp` and `sent_at`, the client's clock skew is removed
    /// (`now + (timestamp − sent_at)`); with only `timestamp`, it stands; else `now − offset` ms; else `now`.
    static func correctedTimestamp(of event: JSONObject) -> Timestamp {
        let now = event["now"]?.stringValue.flatMap { Timestamp(iso8601: $0) } ?? .now
        let timestamp = event["timestamp"].flatMap(parseTime)
        if let timestamp {
            if let sentAt = event["sent_at"].flatMap(parseTime) {
                return now.adding(milliseconds: timestamp.millisecondsSince1970 - sentAt.millisecondsSince1970)
            }
            return timestamp
        }
        if let offset = event["offset"]?.doubleValue, offset.isFinite {
            return now.adding(milliseconds: -Int64(offset))
        }
        return now
    }

    /// An ISO 8601 string, or a number of milliseconds since 1970.
    private static func parseTime(_ value: JSONValue) -> Timestamp? {
        switch value {
        case .string(let text): Timestamp(iso8601: text)
        case .number: value.doubleValue.flatMap { $0.isFinite ? Timestamp(millisecondsSince1970: Int64($0)) : nil }
        default: nil
        }
    }
}
