import Foundation
import QuillTestSupport
import Storage
import Testing

/// Leasing from the work queue, on every backend: oldest first, bounded per config, blind to excluded configs.
@Suite struct WorkQueueStoreTests {
    struct Queue {
        let backend: OpenBackend
        var store: any WorkQueueStore { backend.storage.workQueue }
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        init(_ kind: BackendKind) async throws {
            backend = try await kind.open()
        }

        func enqueue(_ kind: WorkKind = .onEvent, config: Int, count: Int, runAt: Date) async throws {
            try await store.enqueue(
                (0..<count).map { _ in NewWorkItem(kind: kind, pluginConfigID: config, teamID: config, payload: Array("{}".utf8), runAt: runAt) })
        }

        func lease(at time: Date? = nil, limit: Int = 10, excluding: Set<Int> = []) async throws -> [WorkItem] {
            let time = time ?? now
            return try await store.lease(now: time, until: time + 60, limit: limit, perConfig: 4, excluding: excluding)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func oldestDueItemsFirstAtMostPerConfigAndNoneOfAnExcludedConfig(backend: BackendKind) async throws {
        let queue = try await Queue(backend)
        let now = queue.now
        try await queue.enqueue(config: 1, count: 50, runAt: now - 10)  // a paused config's backlog
        try await queue.enqueue(config: 2, count: 3, runAt: now - 5)
        try await queue.enqueue(config: 3, count: 6, runAt: now - 1)
        try await queue.enqueue(config: 4, count: 2, runAt: now + 60)  // a retry, not yet due

        let first = try await queue.lease(excluding: [1])
        #expect(first.map(\.pluginConfigID) == [2, 2, 2, 3, 3, 3, 3], "config 2's older items first; 4 of config 3")
        #expect(first.allSatisfy { $0.status == .leased })
        #expect(first.map(\.id) == first.map(\.id).sorted())

        let second = try await queue.lease(limit: 5)
        #expect(second.map(\.pluginConfigID) == [1, 1, 1, 1, 3], "the limit cuts the newest")
        #expect(Set(second.map(\.id)).isDisjoint(with: first.map(\.id)))

        let later = try await queue.lease(at: now + 61, limit: 100, excluding: [1])
        #expect(later.map(\.pluginConfigID).filter { $0 == 4 }.count == 2, "due once its time comes")
    }

    @Test(arguments: BackendKind.allCases)
    func anItemWhoseLeaseRanOutIsLeasedAgain(backend: BackendKind) async throws {
        let queue = try await Queue(backend)
        let now = queue.now
        try await queue.enqueue(config: 1, count: 2, runAt: now)
        let leased = try await queue.lease()
        #expect(leased.count == 2)
        #expect(try await queue.lease(at: now + 30).isEmpty, "still leased")
        #expect(try await queue.lease(at: now + 61).map(\.id) == leased.map(\.id))
        #expect(try await queue.lease(at: now + 200, excluding: [1]).isEmpty, "ran out, but its config is excluded")
    }

    @Test(arguments: BackendKind.allCases)
    func aRenewedLeaseKeepsItsItemAndRenewingAnItemNoLongerLeasedChangesNothing(backend: BackendKind) async throws {
        let queue = try await Queue(backend)
        let now = queue.now
        try await queue.enqueue(config: 1, count: 2, runAt: now)
        let leased = try await queue.lease()
        try await queue.store.renewLease(leased[0].id, until: now + 120)
        #expect(try await queue.lease(at: now + 61).map(\.id) == [leased[1].id], "only the lease not renewed ran out")

        try await queue.store.complete(leased[1].id)
        try await queue.store.retry(leased[0].id, at: now + 1_000, error: "down")
        try await queue.store.renewLease(leased[0].id, until: now + 5_000)
        #expect(try await queue.lease(at: now + 1_000).map(\.id) == [leased[0].id], "a retried item stays pending, due at its time")
    }

    @Test(arguments: BackendKind.allCases)
    func bufferedExportEventsAreNeverLeasedUntilBatched(backend: BackendKind) async throws {
        let queue = try await Queue(backend)
        let now = queue.now
        let store = queue.store
        try await queue.enqueue(.exportEvent, config: 1, count: 3, runAt: now)
        #expect(try await queue.lease().isEmpty)
        let buffers = try await store.exportBuffers()
        #expect(buffers.map(\.pluginConfigID) == [1] && buffers.first?.count == 3)
        #expect(try await store.counts().map { "\($0.kind.rawValue) \($0.status.rawValue) \($0.count)" } == ["export_event buffered 3"])

        #expect(try await store.batchExportEvents(pluginConfigID: 1, maximumBytes: 1 << 20, now: now) == 1)
        let batch = try await queue.lease()
        #expect(batch.map(\.kind) == [.exportBatch])
        #expect(batch.first.map { String(decoding: $0.payload, as: UTF8.self) } == "[{},{},{}]")
        #expect(try await store.exportBuffers().isEmpty)
    }

    @Test(arguments: BackendKind.allCases)
    func retriesDeadLettersAndReplay(backend: BackendKind) async throws {
        let queue = try await Queue(backend)
        let now = queue.now
        let store = queue.store
        try await queue.enqueue(config: 7, count: 2, runAt: now)
        let job = NewWorkItem(kind: .job, pluginConfigID: 7, teamID: 7, payload: [], runAt: now)
        #expect(try await store.enqueue(job, ifFewerThan: 1), "the bound counts the config's items of one kind")
        #expect(try await store.enqueue(job, ifFewerThan: 1) == false)
        let leased = try await queue.lease()
        #expect(leased.count == 3)
        try await store.retry(leased[0].id, at: now + 5, error: "timeout")
        try await store.bury(leased[1].id, error: "gave up")
        try await store.complete(leased[2].id)
        let queued = try await store.queuedItems(pluginConfigID: 7)
        #expect(queued.map(\.id) == [leased[0].id] && queued.first?.attempts == 1 && queued.first?.lastError == "timeout")
        #expect(try await store.deadLetters(pluginConfigID: 7).map(\.id) == [leased[1].id])
        #expect(try await store.replay(pluginConfigID: 7, ids: [leased[1].id], now: now) == 1)
        #expect(try await store.deadLetters(pluginConfigID: 7).isEmpty)
        #expect(try await queue.lease(at: now + 6).map(\.id).sorted() == [leased[0].id, leased[1].id].sorted())
    }

    /// Two instances on one PostgreSQL database lease at the same moment: every item goes to exactly one.
    @Test func twoInstancesNeverLeaseOneItem() async throws {
        let first = try await Queue(.postgres)
        let second = try await BackendKind.postgres.instance(on: first.backend)
        try await first.enqueue(config: 1, count: 300, runAt: first.now)
        try await first.enqueue(config: 2, count: 300, runAt: first.now)
        var leasedIDs: [Int64] = []
        for _ in 0..<40 {
            async let a = first.store.lease(now: first.now, until: first.now + 600, limit: 10, perConfig: 5, excluding: [])
            async let b = second.workQueue.lease(now: first.now, until: first.now + 600, limit: 10, perConfig: 5, excluding: [])
            leasedIDs += try await a.map(\.id) + b.map(\.id)
        }
        #expect(leasedIDs.count == 600)
        #expect(Set(leasedIDs).count == leasedIDs.count, "no item leased twice")
        await second.close()
    }
}
