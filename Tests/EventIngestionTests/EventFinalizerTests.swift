import EventIngestion
import OrderedJSON
import Storage
import Testing

/// The stored timestamp of hostile or broken events: never a trap, always a time, with a warning when corrected.
@Suite struct EventFinalizerTests {
    static let now = "2026-12-01T12:00:05.200Z"

    private func resolve(_ fields: String) throws -> (timestamp: String, warnings: [IngestionWarning]) {
        let event = try #require(try JSONValue.parse(#"{"now":"\#(Self.now)"\#(fields)}"#).objectValue)
        var warnings: [IngestionWarning] = []
        let timestamp = EventFinalizer.resolvedTimestamp(of: event, uuid: "0190a7e2-0000-7000-8000-000000000000", warnings: &warnings)
        return (timestamp.iso8601, warnings)
    }

    @Test func correctsClockSkewAsPostHogDoes() throws {
        // Reference case 70: timestamp and sent_at both 26 h ahead, 10 min apart → now − 10 min.
        let skewed = try resolve(#","timestamp":"2026-12-02T14:00:05.200Z","sent_at":"2026-12-02T14:10:05.200Z""#)
        #expect(skewed.timestamp == "2026-12-01T11:50:05.200Z")
        #expect(skewed.warnings.isEmpty)
        #expect(try resolve(#","offset":150"#).timestamp == "2026-12-01T12:00:05.050Z")
        #expect(try resolve(#","timestamp":"2026-11-30T09:00:00Z""#).timestamp == "2026-11-30T09:00:00.000Z")
        #expect(try resolve("").timestamp == Self.now)
        #expect(try resolve(#","timestamp":1764590400000"#).timestamp == "2025-12-01T12:00:00.000Z")
    }

    @Test(arguments: [
        #","offset":9.3e18"#, #","offset":-9.3e18"#, #","offset":"abc""#,
        #","timestamp":1e20"#, #","timestamp":-1e20"#, #","timestamp":"yesterday""#, #","timestamp":{"a":1}"#,
        #","timestamp":"9999-12-31T23:59:59Z","sent_at":"0000-01-01T00:00:00Z""#,
    ])
    func aTimestampNoTimeCanBeBecomesTheArrivalTimeWithAWarning(fields: String) throws {
        let resolved = try resolve(fields)
        #expect(resolved.timestamp == Self.now)
        #expect(!resolved.warnings.isEmpty)
        #expect(resolved.warnings.allSatisfy { $0.type == "ignored_invalid_timestamp" })
        let warning = try #require(resolved.warnings.first)
        let details = try #require(try JSONValue.parse(warning.details).objectValue)
        #expect(details["eventUuid"] == "0190a7e2-0000-7000-8000-000000000000")
        #expect(details["reason"]?.stringValue?.isEmpty == false)
    }

    @Test func aSentAtThatIsNoTimeIsIgnoredWithAWarningAndTheTimestampStands() throws {
        let resolved = try resolve(#","timestamp":"2026-12-01T00:00:00Z","sent_at":1e300"#)
        #expect(resolved.timestamp == "2026-12-01T00:00:00.000Z")
        #expect(resolved.warnings.map(\.type) == ["ignored_invalid_timestamp"])
    }

    @Test func aTimestampMoreThan23HoursAheadIsTheArrivalTimeWithAWarning() throws {
        let resolved = try resolve(#","timestamp":"2026-12-03T00:00:00Z""#)
        #expect(resolved.timestamp == Self.now)
        #expect(resolved.warnings.map(\.type) == ["event_timestamp_in_future"])
        #expect(try resolve(#","timestamp":"2026-12-02T11:00:00Z""#).warnings.isEmpty)
    }

    @Test func anEventAPluginBrokeIsStoredAsItWasAccepted() throws {
        let record = IngestionRecord(
            sequence: 7, teamID: 3, uuid: "u", distinctID: "d",
            payload: Array(#"{"event":"kept","distinct_id":"d","now":"2026-12-01T12:00:00Z","properties":{}}"#.utf8))
        let outcome = EventFinalizer.outcome(for: record, event: Array("[1,2]".utf8), droppedBy: nil, followUps: [])
        guard case .stored(let stored) = outcome.result else { Issue.record("not stored"); return }
        #expect(stored.event == "kept")
        #expect(stored.data == record.payload)
        #expect(outcome.warnings.map(\.type) == ["invalid_chain_output"])
    }

    @Test func namesAndDistinctIDsAPluginMadeHugeAreCut() throws {
        let long = String(repeating: "x", count: 5_000)
        let record = IngestionRecord(sequence: 1, teamID: 1, uuid: "u", distinctID: "d", payload: [])
        let outcome = EventFinalizer.outcome(
            for: record, event: Array(#"{"event":"\#(long)","distinct_id":"\#(long)","properties":{}}"#.utf8), droppedBy: nil,
            followUps: [])
        guard case .stored(let stored) = outcome.result else { Issue.record("not stored"); return }
        #expect(stored.event.count == 200)
        #expect(stored.distinctID.count == 200)
    }

    /// Without follow-up work the finalizer reads only the fields it needs where the chain wrote them; with it, it
    /// parses the whole event. Both must store the same row, byte for byte, with the same warnings.
    @Test(arguments: [
        #"{"event":"$pageview","distinct_id":"u1","ip":"203.0.113.7","now":"2026-12-01T12:00:00.000Z","sent_at":null,"properties":{"$current_url":"https://example.com/","n":1.5,"nested":{"a":[1,{"b":null}]}},"timestamp":"2026-12-01T11:59:00.000Z","uuid":"x"}"#,
        #"{"event":"e","distinct_id":42,"ip":"203.0.113.7","properties":{}}"#,
        #"{"event":"e","distinct_id":"d","ip":"203.0.113.7","properties":{"$ip":"198.51.100.1"}}"#,
        #"{"event":"e","distinct_id":"d","ip":null,"properties":{"$ip":null,"$session_id":"s-1"}}"#,
        #"{"event":"$snapshot","distinct_id":"d","ip":"1.2.3.4","properties":{"$session_id":"s\"q","é":"日本\n"},"offset":150}"#,
        #"{"event":{"not":"text"},"distinct_id":["a"],"properties":{"$session_id":7},"timestamp":"yesterday","sent_at":1e300}"#,
        #"{"event":"e","properties":{"a":1,"a":2},"ip":"1.2.3.4"}"#,
        #"{"event":"e", "properties":{"a":"\u0041"},"ip":"1.2.3.4"}"#,
        #"{"event":"e","properties":[1],"ip":"1.2.3.4"}"#,
        #"{"event":"e","ip":"1.2.3.4"}"#,
        #"{"event":"e","properties":{"big":1e999},"ip":"1.2.3.4"}"#,
        #"{"event":"e","distinct_id":"d","properties":{"a":1},"ip":"1.2.3.4","event":"again"}"#,
        #"[1,2]"#, #"not json"#,
    ])
    func readingOnlyTheNeededFieldsStoresWhatTheFullParseStores(chainOutput: String) {
        // A time to resolve against: without `now` both would read the clock, a moment apart.
        let chainOutput = chainOutput.contains(#""now""#) || !chainOutput.hasPrefix("{")
            ? chainOutput : #"{"now":"2026-12-01T12:00:00Z","# + chainOutput.dropFirst()
        let record = IngestionRecord(
            sequence: 7, teamID: 3, uuid: "0190a7e2-0000-7000-8000-000000000000", distinctID: "d",
            payload: Array(#"{"event":"kept","distinct_id":"d","now":"2026-12-01T12:00:00Z","properties":{}}"#.utf8))
        let read = EventFinalizer.outcome(for: record, event: Array(chainOutput.utf8), droppedBy: nil, followUps: [])
        let parsed = EventFinalizer.outcome(
            for: record, event: Array(chainOutput.utf8), droppedBy: nil,
            followUps: [.init(pluginConfigID: 1, kind: .onEvent)])
        #expect(read.result == parsed.result)
        #expect(read.warnings == parsed.warnings)
        #expect(read.distinctID == parsed.distinctID)
        #expect(read.work.isEmpty && parsed.work.count == 1)
    }
}
