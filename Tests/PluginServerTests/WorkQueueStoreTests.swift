import Foundation
import QuillTestSupport
import Storage
import StorageSQLite
import Testing

/// Leasing from the SQLite work queue: oldest first, bounded per config, blind to excluded configs.
@Suite struct WorkQueueStoreTests {
    let folder: TemporaryFolder
    let store: SQLiteWorkQueueStore
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        folder = try TemporaryFolder()
        store = SQLiteWorkQueueStore(database: try SQLiteDatabase(path: folder.url.appending(path: "quill.sqlite").path))
    }

    func enqueue(_ kind: WorkKind = .onEvent, config: Int, count: Int, runAt: Date) async throws {
        try await store.enqueue(
            (0..<count).map { _ in NewWorkItem(kind: kind, pluginConfigID: config, teamID: config, payload: Array("{}".utf8), runAt: runAt) })
    }

    func lease(at time: Date? = nil, limit: Int = 10, excluding: Set<Int> = []) async throws -> [WorkItem] {
        let time = time ?? now
        return try await store.lease(now: time, until: time + 60, limit: limit, perConfig: 4, excluding: excluding)
    }

    @Test func oldestDueItemsFirstAtMostPerConfigAndNoneOfAnExcludedConfig() async throws {
        try await enqueue(config: 1, count: 50, runAt: now - 10)  // a paused config's backlog
        try await enqueue(config: 2, count: 3, runAt: now - 5)
        try await enqueue(config: 3, count: 6, runAt: now - 1)
        try await enqueue(config: 4, count: 2, runAt: now + 60)  // a retry, not yet due

        let first = try await lease(excluding: [1])
        #expect(first.map(\.pluginConfigID) == [2, 2, 2, 3, 3, 3, 3], "config 2's older items first; 4 of config 3")
        #expect(first.allSatisfy { $0.status == .leased })
        #expect(first.map(\.id) == first.map(\.id).sorted())

        let second = try await lease(limit: 5)
        #expect(second.map(\.pluginConfigID) == [1, 1, 1, 1, 3], "the limit cuts the newest")
        #expect(Set(second.map(\.id)).isDisjoint(with: first.map(\.id)))

        let later = try await lease(at: now + 61, limit: 100, excluding: [1])
        #expect(later.map(\.pluginConfigID).filter { $0 == 4 }.count == 2, "due once its time comes")
    }

    @Test func anItemWhoseLeaseRanOutIsLeasedAgain() async throws {
        try await enqueue(config: 1, count: 2, runAt: now)
        let leased = try await lease()
        #expect(leased.count == 2)
        #expect(try await lease(at: now + 30).isEmpty, "still leased")
        #expect(try await lease(at: now + 61).map(\.id) == leased.map(\.id))
        #expect(try await lease(at: now + 200, excluding: [1]).isEmpty, "ran out, but its config is excluded")
    }

    @Test func bufferedExportEventsAreNeverLeasedUntilBatched() async throws {
        try await enqueue(.exportEvent, config: 1, count: 3, runAt: now)
        #expect(try await lease().isEmpty)
        let buffers = try await store.exportBuffers()
        #expect(buffers.map(\.pluginConfigID) == [1] && buffers.first?.count == 3)
        #expect(try await store.counts().map { "\($0.kind.rawValue) \($0.status.rawValue) \($0.count)" } == ["export_event buffered 3"])

        #expect(try await store.batchExportEvents(pluginConfigID: 1, maximumBytes: 1 << 20, now: now) == 1)
        let batch = try await lease()
        #expect(batch.map(\.kind) == [.exportBatch])
        #expect(batch.first.map { String(decoding: $0.payload, as: UTF8.self) } == "[{},{},{}]")
        #expect(try await store.exportBuffers().isEmpty)
    }
}
