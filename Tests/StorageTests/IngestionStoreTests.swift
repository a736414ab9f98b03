import Foundation
import QuillTestSupport
import Storage
import Testing

/// The ingestion log and stored events, on every backend.
@Suite struct IngestionStoreTests {
    static func record(_ uuid: String, team: Int = 1, distinctID: String = "d") -> IngestionRecord {
        IngestionRecord(teamID: team, uuid: uuid, distinctID: distinctID, payload: Array(#"{"event":"e","uuid":"\#(uuid)"}"#.utf8))
    }

    static func stored(_ record: IngestionRecord, sequence: Int64, timestamp: String, work: [NewWorkItem] = []) -> IngestionOutcome {
        IngestionOutcome(
            sequence: sequence, teamID: record.teamID, uuid: record.uuid, distinctID: record.distinctID,
            result: .stored(
                StoredEvent(
                    uuid: record.uuid, teamID: record.teamID, event: "e", distinctID: record.distinctID, timestamp: timestamp,
                    properties: "{}", data: record.payload, sessionID: "s1")),
            work: work, warnings: [IngestionWarning(type: "clock_skew", details: "1 h")])
    }

    @Test(arguments: BackendKind.allCases)
    func loggedEventsAreStoredOnceWithTheirWorkAndFoundByTheEventsAPI(backend: BackendKind) async throws {
        let open = try await backend.open()
        let ingestion = open.storage.ingestion
        let records = (0..<5).map { Self.record("u\($0)") } + [Self.record("other", team: 2)]
        let sequences = try await ingestion.append(records)
        #expect(sequences == sequences.sorted() && Set(sequences).count == 6)
        #expect(try await ingestion.pendingCount() == 6)
        #expect(try await ingestion.teamsWithPendingEvents() == [1, 2])
        #expect(try await ingestion.oldestPendingAcceptance() != nil)
        let pending = try await ingestion.pendingEvents(teamID: 1, after: 0, limit: 3)
        #expect(pending.map(\.uuid) == ["u0", "u1", "u2"] && pending.first?.payload == records[0].payload)
        #expect(try await ingestion.pendingEvents(teamID: 1, after: sequences[3], limit: 10).map(\.uuid) == ["u4"])

        let work = NewWorkItem(kind: .onEvent, pluginConfigID: 9, teamID: 1, payload: [1], runAt: Date())
        var outcomes = (0..<4).map { Self.stored(records[$0], sequence: sequences[$0], timestamp: "2026-12-01T00:00:0\($0).000Z", work: [work]) }
        outcomes.append(
            IngestionOutcome(
                sequence: sequences[4], teamID: 1, uuid: "u4", distinctID: "d", result: .dropped(event: "e", droppedBy: "Filter (3)"),
                work: [work]))
        try await ingestion.commit(outcomes)
        #expect(try await ingestion.pendingCount() == 1)
        #expect(try await open.storage.workQueue.queuedItems(pluginConfigID: 9).count == 5)

        // The same uuid again (a client's retry): stored once, its work not queued twice.
        let again = try await ingestion.append([records[0]])
        try await ingestion.commit([Self.stored(records[0], sequence: again[0], timestamp: "2026-12-01T00:00:09.000Z", work: [work])])
        #expect(try await open.storage.workQueue.queuedItems(pluginConfigID: 9).count == 5)

        let newest = try await ingestion.events(EventQuery(teamID: 1, limit: 2))
        #expect(newest.map(\.event.uuid) == ["u3", "u2"])
        let next = try await ingestion.events(EventQuery(teamID: 1, cursor: newest.last?.cursor, limit: 10))
        #expect(next.map(\.event.uuid) == ["u1", "u0"])
        #expect(try await ingestion.events(EventQuery(teamID: 1, sessionID: "s1", after: "2026-12-01T00:00:01.000Z", limit: 10)).map(\.event.uuid) == ["u3", "u2"])
        #expect(try await ingestion.events(EventQuery(teamID: 2, limit: 10)).isEmpty)
        let warnings = try await ingestion.ingestionWarnings(teamID: 1, since: Date() - 3600)
        // Counted per hour: the two commits may fall either side of an hour's end.
        #expect(Set(warnings.map(\.type)) == ["clock_skew"] && warnings.reduce(0) { $0 + $1.count } == 5)
    }

    @Test(arguments: BackendKind.allCases)
    func eventsInFlightAtTwoDeathsAreQuarantinedAndCanBeReleased(backend: BackendKind) async throws {
        let open = try await backend.open()
        let ingestion = open.storage.ingestion
        let sequences = try await ingestion.append([Self.record("a"), Self.record("b"), Self.record("c")])
        for _ in 0..<2 {
            try await ingestion.markInFlight(teamID: 1, sequences: sequences[0]...sequences[1])
            // The process dies here; the next start recovers.
            let recovered = try await ingestion.recoverInFlight(teamID: 1, quarantineAfter: 2)
            #expect(recovered.isEmpty || recovered.map(\.uuid) == ["a", "b"])
        }
        #expect(try await ingestion.recoverInFlight(teamID: 1, quarantineAfter: 2).isEmpty, "no mark left")
        let quarantined = try await ingestion.quarantinedEvents(teamID: 1, limit: 10)
        #expect(quarantined.map(\.uuid) == ["b", "a"] && quarantined.allSatisfy { $0.crashes == 2 })
        #expect(try await ingestion.quarantinedCount() == 2)
        #expect(try await ingestion.pendingEvents(teamID: 1, after: 0, limit: 10).map(\.uuid) == ["c"])
        #expect(try await ingestion.releaseQuarantinedEvent(id: quarantined[0].id, teamID: 2) == nil, "another team's")
        let released = try #require(try await ingestion.releaseQuarantinedEvent(id: quarantined[0].id, teamID: 1))
        #expect(released.uuid == "b" && released.crashes == 0 && released.sequence != nil)
        #expect(try await ingestion.pendingEvents(teamID: 1, after: 0, limit: 10).map(\.uuid) == ["c", "b"])

        try await ingestion.markInFlight(teamID: 1, sequences: sequences[2]...sequences[2])
        try await ingestion.clearInFlight(teamID: 1)
        #expect(try await ingestion.recoverInFlight(teamID: 1, quarantineAfter: 1).isEmpty, "a clean stop counts no crash")
    }
}
