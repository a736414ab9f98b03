import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PluginRuntime
import QuillTestSupport
import Storage
import Synchronization
import Testing

/// Everything a plugin produces is bounded: past a bound the plugin gets a clear error or its output
/// is dropped and counted, the process stays fine, and a well-behaved plugin beside it is untouched.
@Suite struct OutputBoundsTests {
    // MARK: Console

    @Test func aConsoleFloodIsDroppedAndCounted() async throws {
        // A long time limit: 100,000 host calls take seconds when the machine runs the other tests beside.
        let harness = try PluginHarness(timeLimit: .seconds(180))
        try await harness.load(
            """
            export function processEvent(event) {
              for (let i = 0; i < 100000; i++) console.log(`line ${i}`)
              return event
            }
            """)
        try await harness.load("export function processEvent(event) { console.log('calm'); return event }", id: 40, order: 1)
        let started = ContinuousClock.now
        let (event, result) = try await harness.process(sampleEvent())
        let seconds = Double((ContinuousClock.now - started).components.seconds) + 1
        #expect(event != nil)
        #expect(result.failed.isEmpty)
        // The burst of 1,000, then 100 a second while the loop ran.
        let kept = harness.messages(source: .console)
        #expect(kept.count >= 1_000 && Double(kept.count) <= 1_000 + 100 * seconds)
        #expect(kept.first == "line 0")
        #expect(harness.consoleLimiter.droppedLines()[39] == 100_000 - kept.count)
        #expect(harness.messages(pluginConfigID: 40, source: .console) == ["calm"])
        #expect(harness.consoleLimiter.droppedLines()[40] == nil)
    }

    @Test func droppedLinesAreReportedOnceThePeriodEnds() async throws {
        let harness = try PluginHarness(logLimits: PluginLogLimits(burst: 5, linesPerSecond: 50))
        try await harness.load(
            """
            export function processEvent(event) {
              for (let i = 0; i < Number(event.properties.lines); i++) console.warn(`line ${i}`)
              return event
            }
            """)
        _ = try await harness.process(sampleEvent(properties: ["lines": 20]))
        let dropped = try #require(harness.consoleLimiter.droppedLines()[39])
        #expect(dropped >= 10)
        // Not yet: the bucket refills in a tenth of a second.
        try await Task.sleep(for: .milliseconds(200))
        harness.consoleLimiter.reportDrops()
        harness.consoleLimiter.reportDrops()
        let warnings = harness.logs.entries(pluginConfigID: 39).filter { $0.source == .system && $0.type == .warn }
        #expect(warnings.count == 1)
        #expect(
            warnings.first?.message
                == "Dropped \(dropped) console lines over the limit of 5 at once and 50 a second "
                + "(QUILL_PLUGIN_LOG_BURST, QUILL_PLUGIN_LOG_RATE)")
        // Refilled: the next lines are kept again.
        _ = try await harness.process(sampleEvent(properties: ["lines": 3]))
        #expect(harness.messages(source: .console).suffix(3) == ["line 0", "line 1", "line 2"])
    }

    // MARK: Cache

    @Test func aCacheValueOverTheBoundIsRejected() async throws {
        let harness = try PluginHarness()
        let result = try await run(
            harness,
            """
            const big = await cache.set('big', 'x'.repeat(5 * 1024 * 1024)).then(() => 'stored', (e) => e.message)
            const listed = await cache.lpush('list', ['small', 'y'.repeat(2 * 1024 * 1024)]).then(() => 'stored', (e) => e.message)
            await cache.set('fine', { a: 1 })
            return { big, listed, bigAfter: await cache.get('big', 'absent'), fine: await cache.get('fine'), llen: await cache.llen('list') }
            """)
        #expect(
            result["big"] as? String
                == "cache value for 'big' is 5,242,882 bytes, over the limit of 1,048,576 (QUILL_CACHE_MAX_VALUE_BYTES)")
        #expect((result["listed"] as? String)?.hasSuffix("over the limit of 1,048,576 (QUILL_CACHE_MAX_VALUE_BYTES)") == true)
        #expect(result["bigAfter"] as? String == "absent")
        #expect((result["fine"] as? [String: Int]) == ["a": 1])
        #expect(result["llen"] as? Int == 0)
    }

    @Test func cacheKeysListsAndBytesAreBoundedPerNamespace() async throws {
        let harness = try PluginHarness(
            cacheLimits: PluginCacheLimits(maximumKeyBytes: 8, maximumKeysPerNamespace: 3, maximumListLength: 4, maximumNamespaceBytes: 400))
        let failure = "(promise) => promise.then(() => 'ok', (e) => e.message)"
        let result = try await run(
            harness,
            """
            const failure = \(failure)
            await cache.set('a', 1)
            await cache.set('b', 2, 1)
            await cache.set('c', 3)
            const fourth = await failure(cache.set('d', 4))
            const again = await failure(cache.set('a', 10))
            const long = await failure(cache.set('123456789', 1))
            return { fourth, again, long }
            """)
        #expect(
            result["fourth"] as? String
                == "cache of this plugin and team already holds 3 keys, the limit (QUILL_CACHE_MAX_KEYS): 'd' was not added; "
                + "let keys expire or remove them")
        #expect(result["again"] as? String == "ok")
        #expect(result["long"] as? String == "cache key is 9 bytes, over the limit of 8 (QUILL_CACHE_MAX_KEY_BYTES)")

        // 'b' expires: its place is free again, as expired entries are removed rather than hidden.
        harness.clock.advance(by: .seconds(2))
        let later = try await run(
            harness,
            """
            const failure = \(failure)
            const fourth = await failure(cache.set('d', 4))
            await cache.expire('a', 0)
            const pushed = await failure(cache.lpush('list', ['1', '2', '3']))
            const tooLong = await failure(cache.lpush('list', ['4', '5']))
            await cache.expire('d', 0)
            const tooBig = await failure(cache.set('big', 'x'.repeat(400)))
            return { fourth, pushed, tooLong, tooBig, list: await cache.lrange('list', 0, -1) }
            """, id: 39)
        #expect(later["fourth"] as? String == "ok")
        #expect(later["pushed"] as? String == "ok")
        #expect(
            later["tooLong"] as? String
                == "cache list 'list' would hold 5 elements, over the limit of 4 (QUILL_CACHE_MAX_LIST_LENGTH)")
        #expect((later["tooBig"] as? String)?.hasSuffix("over the limit of 400 (QUILL_CACHE_MAX_BYTES): 'big' was not stored") == true)
        #expect(later["list"] as? [String] == ["3", "2", "1"])

        // Another plugin's namespace has bounds of its own.
        let other = try await run(harness, "await cache.set('d', 4); return { d: await cache.get('d') }", id: 41, pluginID: 61)
        #expect(other["d"] as? Int == 4)
    }

    // MARK: Storage

    @Test func storageValuesKeysAndCursorsAreBoundedPerConfig() async throws {
        let harness = try PluginHarness(
            storageLimits: PluginStorageLimits(maximumKeyBytes: 8, maximumValueBytes: 100, maximumKeysPerConfig: 2))
        let result = try await run(
            harness,
            """
            const failure = (promise) => promise.then(() => 'ok', (e) => e.message)
            return {
              first: await failure(storage.set('a', 1)),
              second: await failure(storage.set('b', 'x'.repeat(90))),
              big: await failure(storage.set('c', 'x'.repeat(200))),
              third: await failure(storage.set('c', 3)),
              replaced: await failure(storage.set('a', 2)),
              long: await failure(storage.set('123456789', 1)),
              cursors: [await failure(utils.cursor.init('x')), await failure(utils.cursor.init('y')), await failure(utils.cursor.init('z'))],
              counted: await failure(utils.cursor.increment('z')),
              a: await storage.get('a'),
            }
            """)
        #expect(result["first"] as? String == "ok")
        #expect(result["second"] as? String == "ok")
        #expect(
            result["big"] as? String
                == "storage value for 'c' is 202 bytes of JSON, over the limit of 100 (QUILL_STORAGE_MAX_VALUE_BYTES)")
        #expect(
            result["third"] as? String
                == "storage of this plugin config already holds 2 keys, the limit (QUILL_STORAGE_MAX_KEYS): 'c' was not added; "
                + "delete keys first")
        #expect(result["replaced"] as? String == "ok")
        #expect(result["long"] as? String == "storage key is 9 bytes, over the limit of 8 (QUILL_STORAGE_MAX_KEY_BYTES)")
        #expect((result["cursors"] as? [String])?.prefix(2) == ["ok", "ok"])
        #expect((result["cursors"] as? [String])?.last?.contains("holds 2 cursors, the limit (QUILL_STORAGE_MAX_KEYS)") == true)
        #expect((result["counted"] as? String)?.contains("'z' was not added") == true)
        #expect(result["a"] as? Int == 2)

        // The in-memory store of `quill plugin run` keeps the same bounds.
        let memory = MemoryPluginStorageStore(limits: PluginStorageLimits(maximumKeysPerConfig: 1))
        try await memory.setValue("1", forKey: "a", pluginConfigID: 1)
        try await memory.setValue("2", forKey: "a", pluginConfigID: 1)
        try await memory.setValue("1", forKey: "a", pluginConfigID: 2)
        await #expect(throws: PluginStorageError.self) { try await memory.setValue("1", forKey: "b", pluginConfigID: 1) }
        #expect(try await memory.value(forKey: "a", pluginConfigID: 1) == "2")
    }

    // MARK: fetch

    @Test func aHugeResponseIsRejectedWithoutBeingRead() async throws {
        let sent = SentBytes()
        let router = Router()
        // 100 MiB without a Content-Length, in 64 KiB chunks, counting what the socket took.
        router.get("stream") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    // Paced, so the whole body takes over 3 s: a client that read it all would show.
                    let chunk = ByteBuffer(repeating: 0x61, count: 64 << 10)
                    for _ in 0..<1_600 {
                        try await Task.sleep(for: .milliseconds(2))
                        try await writer.write(chunk)
                        sent.count.add(chunk.readableBytes, ordering: .relaxed)
                    }
                    try await writer.finish(nil)
                })
        }
        router.get("small") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "fine"))) }
        let server = try await LocalHTTPServer.start(router)
        defer { server.stop() }
        // A loaded machine paces the server's chunks far slower: this is about what is read, not how fast.
        let harness = try PluginHarness(
            timeLimit: .seconds(120), fetchPolicy: FetchPolicy(allowedNetworks: [FetchPolicy.Network("127.0.0.0/8")!]))
        let result = try await run(
            harness,
            """
            const error = await fetch(`${event.properties.base}/stream`).then(() => null, (e) => e)
            const small = await (await fetch(`${event.properties.base}/small`)).text()
            return {
              name: error.name, type: error.type, message: error.message, isFetchError: error instanceof fetch.FetchError, small,
            }
            """, properties: ["base": server.baseURL])
        #expect(result["name"] as? String == "FetchError")
        #expect(result["type"] as? String == "max-size")
        #expect(result["isFetchError"] as? Bool == true)
        #expect((result["message"] as? String)?.hasSuffix("over limit: 10485760 (QUILL_FETCH_MAX_RESPONSE_BYTES)") == true)
        #expect(result["small"] as? String == "fine")
        // The exchange stopped a little past the bound and closed: the rest was never sent, so never held here.
        #expect(sent.count.load(ordering: .relaxed) < 50 << 20)
    }

    @Test func aRequestBodyOverTheBoundIsRejected() async throws {
        let router = Router()
        router.post("echo") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "\(body.readableBytes)")))
        }
        let server = try await LocalHTTPServer.start(router)
        defer { server.stop() }
        let harness = try PluginHarness(
            fetchPolicy: FetchPolicy(allowedNetworks: [FetchPolicy.Network("127.0.0.0/8")!], maximumRequestSize: 1_000))
        let result = try await run(
            harness,
            """
            const url = `${event.properties.base}/echo`
            const error = await fetch(url, { method: 'POST', body: 'x'.repeat(1001) }).then(() => null, (e) => e)
            const fits = await (await fetch(url, { method: 'POST', body: 'x'.repeat(1000) })).text()
            return { name: error.name, type: error.type, message: error.message, fits }
            """, properties: ["base": server.baseURL])
        #expect(result["name"] as? String == "FetchError")
        #expect(result["type"] as? String == "max-size")
        #expect(
            result["message"] as? String
                == "request body to \(server.baseURL)/echo over limit: 1000 (QUILL_FETCH_MAX_REQUEST_BYTES)")
        #expect(result["fits"] as? String == "1000")
    }

    // MARK: Helpers

    /// Runs `body` inside `processEvent(event, { cache, storage, utils })` of config `id` and returns
    /// what it returns.
    private func run(
        _ harness: PluginHarness, _ body: String, id: Int = 39, pluginID: Int = 60, properties: [String: Any] = [:]
    ) async throws -> [String: Any] {
        try await harness.load(
            """
            export async function processEvent(event, { cache, storage, utils }) {
              event.properties.result = await (async () => {
            \(body)
              })()
              return event
            }
            """, id: id, teamID: 2 + id, pluginID: pluginID)
        var event = sampleEvent(properties: properties)
        event["team_id"] = 2 + id
        let (processed, result) = try await harness.process(event, teamID: 2 + id)
        #expect(result.failed.isEmpty, "\(harness.messages(pluginConfigID: id, source: .plugin))")
        return try #require((processed?["properties"] as? [String: Any])?["result"] as? [String: Any])
    }
}

/// Bytes a test server has handed to its socket.
private final class SentBytes: Sendable {
    let count = Atomic<Int>(0)
}
