import Foundation
import Logging
import OrderedJSON
import PluginRuntime
@testable import PluginServer
import QuillTestSupport
import Storage
import StorageSQLite
import Testing

/// The durable work queue with an injected clock: DESIGN.md's retry waits, dead letters, replays.
@Suite struct WorkQueueTests {
    /// A runtime and a queue over one SQLite file, with one plugin config (id 1, team 1) loaded.
    ///
    /// `load` adds more configs; config N is plugin N of team N, so each has its own cache namespace.
    struct Harness {
        let folder: TemporaryFolder
        let database: SQLiteDatabase
        let store: SQLiteWorkQueueStore
        let storage: SQLitePluginStorageStore
        let runtime: PluginRuntime
        let cache = MemoryPluginCacheStore()
        let logs = MemoryPluginLogStore()
        let clock = ManualWorkClock()
        /// The queue's clock: `clock`, unless the test gave another.
        let serviceClock: any WorkClock
        let service: WorkQueueService

        init(
            plugin source: String, config: [String: String] = [:], fetchPolicy: FetchPolicy = FetchPolicy(),
            runtimeConfiguration: PluginRuntimeConfiguration = PluginRuntimeConfiguration(workerCount: 1),
            queueConfiguration: WorkQueueService.Configuration = WorkQueueService.Configuration(),
            workClock: (any WorkClock)? = nil
        ) async throws {
            folder = try TemporaryFolder()
            database = try SQLiteDatabase(path: folder.url.appending(path: "quill.sqlite").path)
            store = SQLiteWorkQueueStore(database: database)
            storage = SQLitePluginStorageStore(database: database)
            serviceClock = workClock ?? clock
            runtime = PluginRuntime(
                configuration: runtimeConfiguration,
                services: PluginHostServices(cache: cache, storage: storage, logs: logs, fetchPolicy: fetchPolicy))
            service = WorkQueueService(
                store: store, runtime: runtime, clock: serviceClock, configuration: queueConfiguration, logger: Logger(label: "test"),
                ready: {})
            try await load(source, pluginConfigID: 1, config: config)
        }

        func load(_ source: String, pluginConfigID id: Int, config: [String: String] = [:]) async throws {
            let code = try await PluginCompiler(providedModules: PluginRuntime.providedModules)
                .compile(files: ["index.js": source, "plugin.json": #"{"name": "destination"}"#], entry: "index.js")
            let outcome = await runtime.load(
                PluginConfigDefinition(id: id, teamID: id, pluginID: id, pluginName: "destination", config: config, code: code))
            guard case .ready = outcome else { throw ServerProcessError(description: "plugin did not load: \(outcome)") }
        }

        func enqueue(_ kind: WorkKind, _ payloads: [JSONValue], pluginConfigID id: Int = 1) async throws {
            try await store.enqueue(
                payloads.map { NewWorkItem(kind: kind, pluginConfigID: id, teamID: id, payload: $0.serialized(), runAt: serviceClock.now) })
            service.notify()
        }

        func stored(_ key: String) async throws -> JSONValue? {
            try await storage.value(forKey: key, pluginConfigID: 1).flatMap { try? JSONValue.parse($0) }
        }

        /// Waits until every queued item of `kind` is back in the queue after `attempts` failed attempts.
        func waitForRetries(_ kind: WorkKind, attempts: Int) async throws {
            try await eventually("\(kind.rawValue) items retried \(attempts) times") {
                let items = try await store.queuedItems(pluginConfigID: 1).filter { $0.kind == kind }
                return !items.isEmpty && items.allSatisfy { $0.status == .pending && $0.attempts == attempts }
            }
        }

        /// A counter the plugin keeps with `cache.incr` (0 when unset).
        func counter(_ key: String, pluginConfigID id: Int = 1) async throws -> Int {
            try await cache.get(PluginCacheKey(namespace: "@plugin/\(id)/\(id)/", name: key)).flatMap { Int($0) } ?? 0
        }

        /// The list the plugin pushes delivered uuids onto.
        func delivered(pluginConfigID id: Int = 1) async throws -> [String] {
            try await cache.range(PluginCacheKey(namespace: "@plugin/\(id)/\(id)/", name: "delivered"), from: 0, through: -1)
        }

        /// Moves the clock and wakes the queue: its poll sleep may have begun after the move.
        func advance(by seconds: TimeInterval) {
            clock.advance(by: seconds)
            service.notify()
        }

        func setDestination(down: Bool) async throws {
            try await storage.setValue(down ? "true" : "false", forKey: "down", pluginConfigID: 1)
        }
    }

    /// Batches may run side by side, so the plugin counts with the cache's atomic operations.
    static let exporter = """
        export async function exportEvents(events, { storage, cache }) {
          await cache.incr('tries')
          if (await storage.get('down', false)) throw new RetryError('destination answered 500')
          await cache.lpush('delivered', events.map((e) => e.uuid))
          await cache.incr('batches')
        }
        """

    static func events(_ count: Int) -> [JSONValue] {
        (0..<count).map { ["event": "exported", "uuid": .string("event-\($0)"), "properties": ["n": JSONValue($0)]] }
    }

    @Test func exportRetriesAfter6And12SecondsAndDeliversEachEventOnceInBatches() async throws {
        let harness = try await Harness(plugin: Self.exporter, config: ["exportEventsBufferBytes": "300"])
        try await harness.setDestination(down: true)
        try await harness.enqueue(.exportEvent, Self.events(12))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        // Over 300 bytes, the buffer becomes batches at once; each first try fails.
        try await eventually("the batches") { try await harness.store.exportBuffers().isEmpty }
        let batches = try await harness.store.counts().filter { $0.kind == .exportBatch }.reduce(0) { $0 + $1.count }
        try await eventually("the first tries") { try await harness.counter("tries") == batches }
        #expect(batches > 1 && batches < 12, "in batches of several events")
        try await harness.waitForRetries(.exportBatch, attempts: 1)
        harness.advance(by: 5)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await harness.counter("tries") == batches, "no retry before 6 s")
        harness.advance(by: 1)
        try await eventually("the second tries") { try await harness.counter("tries") == 2 * batches }
        try await harness.waitForRetries(.exportBatch, attempts: 2)
        try await harness.setDestination(down: false)
        harness.advance(by: 11)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await harness.delivered().isEmpty, "no retry before 12 s")
        harness.advance(by: 1)
        // The queue empties once every call has returned.
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        let delivered = try await harness.delivered()
        #expect(delivered.sorted() == (0..<12).map { "event-\($0)" }.sorted())
        #expect(Set(delivered).count == 12, "each event once")
        #expect(try await harness.counter("batches") == batches)
    }

    /// A VM made again (after idling, or on another thread) whose `setupPlugin` fails while its destination is down:
    /// the config was set up before, so it is not disabled; its setup is retried and its work waits, attempts unchanged.
    @Test func workWaitsWhileAConfigThatWasSetUpBeforeRetriesItsSetup() async throws {
        var runtimeConfiguration = PluginRuntimeConfiguration(workerCount: 1, setupRetryDelays: [.milliseconds(300), .milliseconds(300)])
        runtimeConfiguration.idleTimeout = nil
        var queueConfiguration = WorkQueueService.Configuration()
        queueConfiguration.setupRetryWait = .milliseconds(100)
        let harness = try await Harness(
            plugin: """
                export async function setupPlugin({ cache }) {
                  if (await cache.incr('setups') === 2) throw new Error('connect ECONNREFUSED 127.0.0.1:5432')
                }
                export async function onEvent(event, { cache }) {
                  await cache.lpush('delivered', [event.uuid])
                }
                """,
            runtimeConfiguration: runtimeConfiguration, queueConfiguration: queueConfiguration, workClock: SystemWorkClock())
        // Idle: the VM goes; the next delivery makes it again, and that setup fails.
        await harness.runtime.retireIdleVMs(unusedFor: .zero)
        try await harness.enqueue(.onEvent, [["event": "e", "uuid": "u1"]])
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        try await eventually("the delivery after setup succeeded again") { try await harness.delivered() == ["u1"] }
        #expect(try await harness.counter("setups") == 3)
        #expect(try await harness.store.deadLetters(pluginConfigID: 1).isEmpty)
        #expect(await harness.runtime.isReady(pluginConfigID: 1, teamID: 1))
        let system = harness.logs.entries(pluginConfigID: 1).filter { $0.source == .system }.map(\.message)
        #expect(system.contains { $0.hasPrefix("setupPlugin failed again after it had succeeded (attempt 1/3)") && $0.contains("ECONNREFUSED") })
        #expect(system.contains("setupPlugin succeeded on attempt 2/3."))
    }

    @Test func exportThatNeverRecoversBecomesADeadLetterThenReplaysOnce() async throws {
        let harness = try await Harness(plugin: Self.exporter, config: ["exportEventsBufferSeconds": "1"])
        try await harness.setDestination(down: true)
        try await harness.enqueue(.exportEvent, Self.events(3))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        // The buffer waits its second, then the batch is tried, and retried after 6, 12 and 24 s.
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await harness.counter("tries") == 0, "the buffer holds the events for its second")
        harness.advance(by: 1)
        try await eventually("the first try") { try await harness.counter("tries") == 1 }
        for (tries, wait) in zip(2..., [6.0, 12, 24]) {
            try await harness.waitForRetries(.exportBatch, attempts: tries - 1)
            harness.advance(by: wait)
            try await eventually("try \(tries)") { try await harness.counter("tries") == tries }
        }
        try await eventually("the dead letter") { try await !harness.store.deadLetters(pluginConfigID: 1).isEmpty }
        let dead = try await harness.store.deadLetters(pluginConfigID: 1)
        #expect(dead.count == 1)
        #expect(dead.first?.attempts == 4)
        #expect(dead.first?.lastError?.contains("destination answered 500") == true)
        #expect(try await harness.delivered().isEmpty)

        try await harness.setDestination(down: false)
        #expect(try await harness.store.replay(pluginConfigID: 1, ids: nil, now: harness.clock.now) == 1)
        #expect(try await harness.store.replay(pluginConfigID: 1, ids: nil, now: harness.clock.now) == 0, "a replay is not a copy")
        harness.service.notify()
        try await eventually("the replayed delivery") { try await harness.store.counts().isEmpty }
        #expect(try await harness.delivered().count == 3)
        #expect(try await harness.counter("batches") == 1)
        #expect(try await harness.store.deadLetters(pluginConfigID: 1).isEmpty)
    }

    /// An export plugin POSTing batches to a destination on 127.0.0.1, throwing RetryError on a 5xx.
    static let httpExporter = """
        export async function exportEvents(events, { config }) {
          const response = await fetch(config.url, {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(events.map((e) => e.uuid)),
          })
          if (response.status >= 500) throw new RetryError(`destination answered ${response.status}`)
          if (!response.ok) throw new Error(`destination refused the batch: ${response.status}`)
        }
        """

    @Test func exportToAnHTTPDestinationThatFailsForAWhileDeliversEachEventOnce() async throws {
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        destination.setStatus(500)
        let harness = try await Harness(
            plugin: Self.httpExporter, config: ["url": destination.url, "exportEventsBufferBytes": "300"],
            fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"))
        try await harness.enqueue(.exportEvent, Self.events(12))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        try await harness.waitForRetries(.exportBatch, attempts: 1)
        let batches = try await harness.store.queuedItems(pluginConfigID: 1).count
        #expect(batches > 1 && batches < 12)
        harness.advance(by: 6)
        try await harness.waitForRetries(.exportBatch, attempts: 2)
        #expect(destination.requests == 2 * batches, "every batch tried twice, while the destination answered 500")
        destination.setStatus(200)
        harness.advance(by: 12)
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        #expect(destination.received.sorted() == (0..<12).map { "event-\($0)" }.sorted(), "each event exactly once")
    }

    @Test func exportToADestinationDownForGoodIsADeadLetterUntilReplayed() async throws {
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        destination.setStatus(503)
        let harness = try await Harness(
            plugin: Self.httpExporter, config: ["url": destination.url, "exportEventsBufferSeconds": "1"],
            fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"))
        try await harness.enqueue(.exportEvent, Self.events(3))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }
        harness.advance(by: 1)
        for (attempts, wait) in zip(1..., [6.0, 12, 24]) {
            try await harness.waitForRetries(.exportBatch, attempts: attempts)
            harness.advance(by: wait)
        }
        try await eventually("the dead letter") { try await !harness.store.deadLetters(pluginConfigID: 1).isEmpty }
        #expect(destination.requests == 4)
        #expect(destination.received.isEmpty)
        destination.setStatus(200)
        #expect(try await harness.store.replay(pluginConfigID: 1, ids: nil, now: harness.clock.now) == 1)
        harness.service.notify()
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        #expect(destination.received.sorted() == ["event-0", "event-1", "event-2"])
    }

    @Test func onEventRetryErrorIsRetried5TimesAfter5To80Seconds() async throws {
        let harness = try await Harness(
            plugin: """
                export async function onEvent(event, { storage }) {
                  await storage.set('tries', (await storage.get('tries', 0)) + 1)
                  throw new RetryError('not yet')
                }
                """)
        try await harness.enqueue(.onEvent, [["event": "e", "uuid": "u"]])
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }
        for (tries, wait) in zip(1..., [5.0, 10, 20, 40, 80]) {
            try await eventually("try \(tries)") { try await harness.stored("tries") == JSONValue(tries) }
            try await harness.waitForRetries(.onEvent, attempts: tries)
            // Not a moment before its wait is over.
            harness.advance(by: wait - 1)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await harness.stored("tries") == JSONValue(tries))
            harness.advance(by: 1)
        }
        try await eventually("the dead letter") { try await !harness.store.deadLetters(pluginConfigID: 1).isEmpty }
        #expect(try await harness.stored("tries") == 6)
        #expect(try await harness.store.deadLetters(pluginConfigID: 1).first?.attempts == 6)
    }

    @Test func otherErrorsAreNotRetried() async throws {
        let harness = try await Harness(plugin: "export async function onEvent() { throw new TypeError('bad data') }")
        try await harness.enqueue(.onEvent, [["event": "e"]])
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }
        try await eventually("the dead letter") { try await !harness.store.deadLetters(pluginConfigID: 1).isEmpty }
        let dead = try await harness.store.deadLetters(pluginConfigID: 1)
        #expect(dead.first?.attempts == 1)
        #expect(dead.first?.lastError == "TypeError: bad data")
    }

    /// A batch that waits or runs longer than a lease (a slow destination, script threads busy with other calls)
    /// keeps its lease while it runs: the queue doesn't lease it again and export it twice.
    @Test func aBatchRunningLongerThanALeaseRunsOnce() async throws {
        let plugin = """
            export async function exportEvents(events, { cache }) {
              await cache.incr('tries')
              // Runs until the test lets it finish, while the queue's clock passes several leases.
              while (!(await cache.get('finish', false))) {}
              await cache.incr('batches')
            }
            """
        var queueConfiguration = WorkQueueService.Configuration()
        queueConfiguration.lease = .seconds(10)
        let harness = try await Harness(
            plugin: plugin, runtimeConfiguration: PluginRuntimeConfiguration(workerCount: 2), queueConfiguration: queueConfiguration)
        try await harness.enqueue(.exportBatch, [.array(Self.events(3))])
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }
        try await eventually("the first try") { try await harness.counter("tries") == 1 }

        // In steps shorter than a lease, as time passes: three leases.
        for _ in 0..<15 {
            harness.advance(by: 2)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await harness.counter("tries") == 1, "the batch was leased again while it ran")
        try await harness.cache.set(PluginCacheKey(namespace: "@plugin/1/1/", name: "finish"), to: "true", ttl: nil)
        try await eventually("an empty queue") { try await harness.store.queuedItems(pluginConfigID: 1).isEmpty }
        #expect(try await harness.counter("batches") == 1)
    }

    @Test func jobsRunWithTheirPayload() async throws {
        let harness = try await Harness(
            plugin: """
                export const jobs = { remember: async (payload, { storage }) => { await storage.set('remembered', payload) } }
                """)
        try await harness.enqueue(.job, [.object(JSONObject([("type", "remember"), ("payload", ["value": 42])]))])
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }
        try await eventually("the job") { try await harness.stored("remembered") == ["value": 42] }
    }
}

/// `meta.jobs` survives a restart between `runIn(1, 'hour')` and its time.
@Suite struct PluginJobRestartTests {
    static let plugin = """
        export const jobs = {
          remind: async (payload, { cache, storage }) => {
            await storage.set('reminded', ((await storage.get('reminded', 0)) + 1))
            await storage.set('payload', payload)
          },
        }
        export async function processEvent(event, { jobs }) {
          await jobs.remind({ who: event.distinct_id }).runIn(1, 'hour')
          return event
        }
        """

    /// One "server": a runtime and a queue over the database, with `meta.jobs` on that queue.
    struct Instance {
        let runtime: PluginRuntime
        let service: WorkQueueService
        let running: Task<Void, any Error>

        init(database: SQLiteDatabase, clock: ManualWorkClock) async throws {
            let store = SQLiteWorkQueueStore(database: database)
            let wakeup = WakeupSignal()
            runtime = PluginRuntime(
                configuration: PluginRuntimeConfiguration(workerCount: 1),
                services: PluginHostServices(
                    cache: MemoryPluginCacheStore(), storage: SQLitePluginStorageStore(database: database),
                    logs: MemoryPluginLogStore(), jobs: WorkQueueJobs(store: store, clock: clock, wakeup: wakeup)))
            let code = try await PluginCompiler(providedModules: PluginRuntime.providedModules)
                .compile(files: ["index.js": PluginJobRestartTests.plugin, "plugin.json": #"{"name": "reminder"}"#], entry: "index.js")
            _ = await runtime.load(PluginConfigDefinition(id: 1, teamID: 1, pluginID: 1, pluginName: "reminder", code: code))
            let service = WorkQueueService(
                store: store, runtime: runtime, clock: clock, logger: Logger(label: "test"), wakeup: wakeup, ready: {})
            self.service = service
            running = Task { try await service.run() }
        }

        func stop() async {
            running.cancel()
            _ = await running.result
            await runtime.shutdown()
        }
    }

    @Test func jobScheduledAnHourAheadRunsOnceAfterARestart() async throws {
        let folder = try TemporaryFolder()
        let database = try SQLiteDatabase(path: folder.url.appending(path: "quill.sqlite").path)
        let storage = SQLitePluginStorageStore(database: database)
        let clock = ManualWorkClock()

        let first = try await Instance(database: database, clock: clock)
        let result = try await first.runtime.processEvent(Array(#"{"event":"signup","distinct_id":"ada","properties":{}}"#.utf8), teamID: 1)
        #expect(result.failed.isEmpty)
        clock.advance(by: 30 * 60)
        first.service.notify()
        try await Task.sleep(for: .milliseconds(50))
        await first.stop()
        #expect(try await storage.value(forKey: "reminded", pluginConfigID: 1) == nil)

        let second = try await Instance(database: database, clock: clock)
        clock.advance(by: 29 * 60)
        second.service.notify()
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await storage.value(forKey: "reminded", pluginConfigID: 1) == nil, "not before its hour")
        clock.advance(by: 60)
        second.service.notify()
        try await eventually("the job") { try await storage.value(forKey: "reminded", pluginConfigID: 1) == "1" }
        // The queue empties once the job has returned.
        try await eventually("an empty queue") { try await SQLiteWorkQueueStore(database: database).counts().isEmpty }
        #expect(try await storage.value(forKey: "payload", pluginConfigID: 1) == #"{"who":"ada"}"#)
        clock.advance(by: 3600)
        second.service.notify()
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await storage.value(forKey: "reminded", pluginConfigID: 1) == "1", "once")
        await second.stop()
    }
}
