import Foundation
import PluginRuntime
import Storage
import Testing

/// The reference's VM-level cases (posthog-reference.md §3, cases 1–16, 19, 41, 51–52, 61).
@Suite struct PluginVMTests {
    @Test func emptyCodeLoadsWithNoMethods() async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load("")
        #expect(outcome == .ready(PluginCapabilities(methods: [], scheduledTasks: [], jobs: [])))
        let (event, result) = try await harness.process(sampleEvent())
        #expect(event?["properties"] as? [String: String] == [:])
        #expect(result.succeeded.isEmpty && result.failed.isEmpty && result.deferred.isEmpty)
    }

    @Test func globalSetInSetupPluginIsSeenByProcessEvent() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function setupPlugin(meta) { meta.global.data = 'haha' }
            function processEvent(event, meta) { event.event = meta.global.data; return event }
            """)
        let (event, _) = try await harness.process(sampleEvent())
        #expect(event?["event"] as? String == "haha")
    }

    @Test func asyncSetupPluginIsAwaitedBeforeEvents() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function setupPlugin({ global, cache }) {
              await cache.set('ready', true)
              for (let i = 0; i < 3; i++) await Promise.resolve()
              global.data = await cache.get('ready', false) ? 'set up' : 'not yet'
            }
            async function processEvent(event, { global }) { event.event = global.data; return event }
            """)
        let (event, _) = try await harness.process(sampleEvent())
        #expect(event?["event"] as? String == "set up")
    }

    @Test func teardownPluginRunsOnUnloadWithTheGlobalOfProcessEvent() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function processEvent(event, { global }) { global.query = 'hoho'; return event }
            async function teardownPlugin({ global, storage }) { await storage.set('torn down with', global.query) }
            async function onEvent() {}
            """)
        _ = try await harness.process(sampleEvent())
        await harness.runtime.unload(pluginConfigID: 39, teamID: 2)
        // A new VM of the same config reads what the old one's teardown stored.
        try await harness.load(
            """
            async function processEvent(event, { storage }) { event.event = await storage.get('torn down with', 'nothing'); return event }
            """)
        let (event, _) = try await harness.process(sampleEvent())
        #expect(event?["event"] as? String == "hoho")
        #expect(harness.messages(source: .system).contains { $0.hasPrefix("Plugin unloaded (instance ID ") })
    }

    @Test func mutatedAndReturnedEventIsKept() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { event.properties.processed = true; return event }")
        let (event, _) = try await harness.process(sampleEvent())
        #expect((event?["properties"] as? [String: Any])?["processed"] as? Bool == true)
    }

    @Test func mutatedButNotReturnedEventIsDropped() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { event.properties.processed = true }")
        let (event, result) = try await harness.process(sampleEvent())
        #expect(event == nil)
        #expect(result.droppedBy == "test-plugin (39)")
    }

    @Test(arguments: [
        "function processEventBatch(events) { return events.map(e => ({...e, event: 'batched'})) }",
        "async function processEventBatch(events) { return events.map(e => ({...e, event: 'batched'})) }",
    ])
    func processEventBatchAloneServesAsProcessEvent(source: String) async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load(source)
        #expect(outcome == .ready(PluginCapabilities(methods: ["processEvent"], scheduledTasks: [], jobs: [])))
        let (event, _) = try await harness.process(sampleEvent())
        #expect(event?["event"] as? String == "batched")
    }

    @Test func processEventWinsOverProcessEventBatch() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function processEvent(e) { e.event = 'single'; return e }
            function processEventBatch(events) { return events.map(e => ({...e, event: 'batched'})) }
            """)
        let (event, _) = try await harness.process(sampleEvent())
        #expect(event?["event"] as? String == "single")
    }

    @Test(arguments: [
        "module.exports = { processEvent: (e) => ({...e, event: 'found'}) }",
        "module.exports.processEvent = (e) => ({...e, event: 'found'})",
        "exports = { processEvent: (e) => ({...e, event: 'found'}) }",
        "exports.processEvent = (e) => ({...e, event: 'found'})",
        "export const processEvent = (e) => ({...e, event: 'found'})",
        "export function processEvent(e) { return {...e, event: 'found'} }",
        "export default { processEvent: (e) => ({...e, event: 'found'}) }",
        "function processEvent(e) { return {...e, event: 'found'} }",
        "const processEvent = (e) => ({...e, event: 'found'})",
    ])
    func exportsAreDiscoveredInEveryForm(source: String) async throws {
        let harness = try PluginHarness()
        try await harness.load(source)
        let (event, _) = try await harness.process(sampleEvent())
        #expect(event?["event"] as? String == "found")
    }

    @Test func metaCarriesConfigAndAttachments() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function processEvent(event, { config, attachments }) {
              event.properties.config = config
              const file = attachments.maxmindMmdb
              event.properties.attachment = [file.content_type, file.file_name, file.contents.length, file.contents.toString()]
              event.properties.isBytes = file.contents instanceof Uint8Array
              return event
            }
            """,
            config: ["bar": "baz", "mode": "fast"],
            attachments: [
                "maxmindMmdb": PluginAttachment(contentType: "text/plain", fileName: "a.txt", contents: Data("hello".utf8))
            ])
        let (event, _) = try await harness.process(sampleEvent())
        let properties = try #require(event?["properties"] as? [String: Any])
        #expect(properties["config"] as? [String: String] == ["bar": "baz", "mode": "fast"])
        #expect(properties["attachment"] as? [AnyHashable] == ["text/plain", "a.txt", 5, "hello"])
        #expect(properties["isBytes"] as? Bool == true)
    }

    @Test func metaHasPostHogsKeys() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function processEvent(event, meta) { event.properties.keys = Object.keys(meta).sort(); return event }
            """)
        let (event, _) = try await harness.process(sampleEvent())
        let keys = (event?["properties"] as? [String: Any])?["keys"] as? [String]
        #expect(keys == ["attachments", "cache", "config", "geoip", "global", "jobs", "metrics", "storage", "utils"])
    }

    @Test func cacheCounterAcrossCalls() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function setupPlugin({ cache }) { await cache.set('counter', 0) }
            async function processEvent(event, { cache }) {
              const counter = await cache.get('counter', 999)
              await cache.set('counter', counter + 1)
              event.properties.counter = counter + 1
              return event
            }
            """)
        var counters: [Int] = []
        for _ in 0..<3 {
            let (event, _) = try await harness.process(sampleEvent())
            counters.append((event?["properties"] as? [String: Any])?["counter"] as? Int ?? -1)
        }
        #expect(counters == [1, 2, 3])
    }

    @Test func storageGetSetDelAndNull() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function processEvent(event, { storage }) {
              const seen = []
              await storage.set('number', -1)
              seen.push(await storage.get('number'))
              await storage.set('nothing', null)
              seen.push(await storage.get('nothing', 'default'))
              const counter = await storage.get('counter', 0)
              await storage.set('counter', counter + 1)
              seen.push(counter + 1)
              await storage.set('deleteme', 10)
              await storage.del('deleteme')
              seen.push(await storage.get('deleteme', null))
              await storage.set('object', { nested: [1, 'two'] })
              seen.push(await storage.get('object'))
              await storage.set('object', undefined)
              seen.push(await storage.get('object', 'gone'))
              event.properties.seen = seen
              return event
            }
            """)
        var runs: [String] = []
        for _ in 0..<3 {
            let (event, _) = try await harness.process(sampleEvent())
            let seen = (event?["properties"] as? [String: Any])?["seen"] ?? []
            runs.append(String(decoding: try JSONSerialization.data(withJSONObject: seen), as: UTF8.self))
        }
        #expect(runs == [1, 2, 3].map { #"[-1,null,\#($0),null,{"nested":[1,"two"]},"gone"]"# })
    }

    @Test func cacheEntriesExpire() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function processEvent(event, { cache }) {
              const key = 'counter-' + event.event
              const counter = await cache.get(key, 0)
              if (event.event === 'ttl') await cache.set(key, counter + 1, 1)
              else { await cache.set(key, counter + 1); await cache.expire(key, 1) }
              event.properties.counter = counter + 1
              return event
            }
            """)
        func counter(_ name: String) async throws -> Int? {
            (try await harness.process(sampleEvent(name)).event?["properties"] as? [String: Any])?["counter"] as? Int
        }
        for name in ["ttl", "expire"] {
            #expect(try await counter(name) == 1)
            #expect(try await counter(name) == 2)
            harness.clock.advance(by: .milliseconds(1_200))
            #expect(try await counter(name) == 1)
        }
    }

    @Test func unawaitedCacheWritesLandBeforeLaterReads() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function processEvent(event, { cache, storage }) {
              event.properties.previous = [await cache.get('last', -1), await storage.get('last', -1)]
              cache.set('last', event.properties.n)
              storage.set('last', event.properties.n)
              return event
            }
            """)
        for n in 0..<40 {
            let properties = try await harness.process(sampleEvent(properties: ["n": n])).event?["properties"] as? [String: Any]
            #expect(properties?["previous"] as? [Int] == [n - 1, n - 1])
        }
    }

    @Test func cacheIncrCounts() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function setupPlugin({ cache }) { await cache.set('n', 0) }
            async function processEvent(event, { cache }) { event.properties.n = await cache.incr('n'); return event }
            """)
        var values: [Int] = []
        for _ in 0..<3 {
            values.append((try await harness.process(sampleEvent()).event?["properties"] as? [String: Any])?["n"] as? Int ?? -1)
        }
        #expect(values == [1, 2, 3])
    }

    @Test func cacheListOperations() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function processEvent(event, { cache }) {
              const out = {}
              await cache.lpush('mylist', 'a string')
              await cache.lpush('mylist', ['an', 'array'])
              out.range = await cache.lrange('mylist', 0, 3)
              out.length = await cache.llen('mylist')
              await cache.expire('mylist', 0)
              out.afterExpire = await cache.lrange('mylist', 0, 3)
              await cache.lpush('numbers', ['1', '2', '3'])
              out.popped = await cache.lpop('numbers', 1)
              out.removed = await cache.lrem('numbers', 1, '2')
              out.remaining = await cache.lrange('numbers', 0, -1)
              event.properties.out = out
              return event
            }
            """)
        let out = try #require((try await harness.process(sampleEvent()).event?["properties"] as? [String: Any])?["out"] as? [String: Any])
        #expect(Set(out["range"] as? [String] ?? []) == ["a string", "an", "array"])
        #expect(out["length"] as? Int == 3)
        #expect(out["afterExpire"] as? [String] == [])
        #expect(out["popped"] as? [String] == ["3"])
        #expect(out["removed"] as? Int == 1)
        #expect(out["remaining"] as? [String] == ["1"])
    }

    @Test func cacheIsNamespacedPerTeam() async throws {
        let harness = try PluginHarness()
        let source = """
            async function processEvent(event, { cache }) {
              event.properties.before = await cache.get('shared', 'empty')
              await cache.set('shared', 'team ' + event.team_id)
              return event
            }
            """
        try await harness.load(source, id: 1, teamID: 2)
        try await harness.load(source, id: 2, teamID: 3)
        _ = try await harness.process(sampleEvent(), teamID: 2)
        var other = sampleEvent()
        other["team_id"] = 3
        let (event, _) = try await harness.process(other, teamID: 3)
        #expect((event?["properties"] as? [String: Any])?["before"] as? String == "empty")
    }

    @Test func consoleLogWritesALogEntry() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { console.log(event.event); return event }")
        _ = try await harness.process(sampleEvent("logged event"))
        let entry = try #require(harness.logs.entries(pluginConfigID: 39).first { $0.source == .console })
        #expect(entry.message == "logged event")
        #expect(entry.type == .log)
        #expect(entry.teamID == 2 && entry.pluginID == 60 && entry.pluginConfigID == 39)
    }

    @Test func consoleFormatsLikePostHog() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function processEvent(event) {
              console.log()
              console.info('number =', 987)
              console.warn(new Error('something'))
              console.error({ 1: 'ein' })
              console.debug([99, 79])
              console.log(null, undefined, true, 'two words')
              const circular = {}; circular.self = circular
              console.log(circular)
              return event
            }
            """)
        _ = try await harness.process(sampleEvent())
        let entries = harness.logs.entries(pluginConfigID: 39).filter { $0.source == .console }
        #expect(entries.map(\.message) == [
            "", "number = 987", "Error: something", #"{"1":"ein"}"#, "[99,79]", "null undefined true two words",
            "[object Object]",
        ])
        #expect(entries.map(\.type) == [.log, .info, .warn, .error, .debug, .log, .log])
    }

    @Test func scheduledTasksAndJobsAreCapabilities() async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load(
            """
            export function runEveryMinute() {}
            export function runEveryDay() {}
            export const runEveryHour = false
            export const jobs = { sendReport: () => {}, notAJob: 3 }
            export function onEvent() {}
            export function somethingElse() {}
            """)
        #expect(
            outcome
                == .ready(
                    PluginCapabilities(methods: ["onEvent"], scheduledTasks: ["runEveryMinute", "runEveryDay"], jobs: ["sendReport"])))
    }

    @Test func metricsAggregate() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            export const metrics = { total: 'sum', biggest: 'mAx', smallest: 'MIN' }
            export function processEvent(event, { metrics }) {
              metrics.total.increment(100); metrics.total.increment(10); metrics.total.increment(-10)
              metrics.biggest.max(5); metrics.biggest.max(10)
              metrics.smallest.min(4); metrics.smallest.min(1)
              return event
            }
            """)
        _ = try await harness.process(sampleEvent())
        let json = try #require(await harness.runtime.metricsJSON(pluginConfigID: 39, teamID: 2))
        let values = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Int]
        #expect(values == ["total": 100, "biggest": 10, "smallest": 1])
    }

    @Test func metricMisuseFailsTheCall() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            export const metrics = { i_should_increment: 'sum' }
            export function processEvent(event, { metrics }) {
              if (event.event === 'wrong method') metrics.i_should_increment.max(5)
              else metrics.i_should_increment.increment('ten')
              return event
            }
            """)
        let (_, wrongMethod) = try await harness.process(sampleEvent("wrong method"))
        #expect(wrongMethod.failed == ["test-plugin (39)"])
        let lastError = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(lastError?.name == "TypeError")
        #expect(lastError?.message.contains("i_should_increment.max is not a function") == true, "\(String(describing: lastError))")
        let (_, notANumber) = try await harness.process(sampleEvent("not a number"))
        #expect(notANumber.failed == ["test-plugin (39)"])
        let numberError = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(numberError?.name == "IllegalOperationError")
        #expect(numberError?.message == "Only numbers are allowed for operations on metrics")
    }

    @Test func unsupportedMetricTypeFailsTheLoad() async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load("export const metrics = { average: 'avg' }")
        guard case .disabled(let reason) = outcome else {
            Issue.record("expected the load to fail, got \(outcome)")
            return
        }
        #expect(reason.contains("Unsupported metric type 'avg'"))
    }

    @Test func nodeTimersAndProcessAreAbsent() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function processEvent(event) {
              event.properties.types = [typeof setTimeout, typeof setInterval, typeof setImmediate, typeof process, typeof RetryError, typeof require]
              return event
            }
            """)
        let types = (try await harness.process(sampleEvent()).event?["properties"] as? [String: Any])?["types"] as? [String]
        #expect(types == ["undefined", "undefined", "undefined", "undefined", "function", "function"])
    }

    @Test func storageCursor() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function processEvent(event, { utils }) {
              await utils.cursor.init('page', 10)
              await utils.cursor.init('page', 99)
              event.properties.next = [await utils.cursor.increment('page'), await utils.cursor.increment('page', 5)]
              return event
            }
            """)
        let next = (try await harness.process(sampleEvent()).event?["properties"] as? [String: Any])?["next"] as? [Int]
        #expect(next == [11, 16])
    }

    @Test func nodePrefixedImportsCompileAndRun() async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load(
            """
            import { createHash } from 'node:crypto'
            import { URL } from 'node:url'
            export function processEvent(event) {
              event.properties.host = new URL('https://example.com/a').host
              event.properties.hash = createHash('md5').update('x').digest('hex')
              return event
            }
            """)
        #expect(outcome == .ready(PluginCapabilities(methods: ["processEvent"], scheduledTasks: [], jobs: [])))
        let properties = try await harness.process(sampleEvent()).event?["properties"] as? [String: Any]
        #expect(properties?["host"] as? String == "example.com")
        #expect(properties?["hash"] as? String == "9dd4e461268c8034f5c8564e155c67a6")
    }

    @Test func jobsWithoutAQueueSayWhyAndOnlyExportedJobsExist() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            export const jobs = { later: () => {} }
            export async function processEvent(event, { jobs }) {
              event.properties.names = Object.keys(jobs)
              if (event.event === 'enqueue') await jobs.later({}).runIn(2, 'quarters')
              if (event.event === 'bad unit') jobs.later({}).runIn(2, 'fortnights')
              return event
            }
            """)
        let (listed, _) = try await harness.process(sampleEvent("list"))
        #expect((listed?["properties"] as? [String: Any])?["names"] as? [String] == ["later"])
        _ = try await harness.process(sampleEvent("enqueue"))
        let noQueue = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(noQueue?.message.contains("there is no job queue here") == true)
        _ = try await harness.process(sampleEvent("bad unit"))
        let badUnit = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(badUnit?.message.contains("Unknown unit 'fortnights'") == true)
    }
}
