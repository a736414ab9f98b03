import Foundation
import PluginRuntime
import Storage
import Testing

/// The modules Node doesn't have (plugin-scaffold's helpers, plugin-contrib's `createBuffer`,
/// generic-pool), the modules Quill refuses, and a realistic plugin using several modules together.
@Suite struct NodeModulesTests {
    // MARK: @posthog/plugin-scaffold

    @Test func scaffoldTestHelpersGiveTheFixedEvents() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            import { createEvent, createPageview, createIdentify, clone, RetryError as ScaffoldRetryError } from '@posthog/plugin-scaffold'
            import * as utils from '@posthog/plugin-scaffold/test/utils'
            export function processEvent(event) {
              const original = createEvent({ event: 'custom', properties: { a: 1 } })
              const copy = clone(original)
              copy.properties.a = 2
              event.properties.result = {
                event: createEvent(),
                custom: original,
                cloneIsDeep: original.properties.a === 1 && copy.properties.a === 2,
                pageview: createPageview(),
                identify: createIdentify(),
                fresh: createEvent() !== createEvent() && createEvent().properties !== createEvent().properties,
                sameRetryError: ScaffoldRetryError === RetryError && utils.RetryError === RetryError,
                sameHelpers: utils.createEvent().event === 'EVENT_TYPE',
              }
              return event
            }
            """)
        let result = try await Self.result(of: harness)
        let event = try #require(result["event"] as? [String: Any])
        #expect(event["distinct_id"] as? String == "007")
        #expect(event["team_id"] as? Int == 13)
        #expect(event["event"] as? String == "EVENT_TYPE")
        #expect(event["ip"] as? String == "127.0.0.1")
        #expect(event["site_url"] as? String == "http://localhost")
        for key in ["now", "sent_at", "timestamp"] {
            #expect(event[key] as? String == "2020-11-26T12:58:58.453Z")
        }
        let custom = try #require(result["custom"] as? [String: Any])
        #expect(custom["event"] as? String == "custom")
        #expect(custom["distinct_id"] as? String == "007")
        #expect((custom["properties"] as? [String: Any])?["a"] as? Int == 1)
        #expect(result["cloneIsDeep"] as? Bool == true)
        let pageview = try #require(result["pageview"] as? [String: Any])
        #expect(pageview["event"] as? String == "$pageview")
        #expect((pageview["properties"] as? [String: Any])?["$current_url"] as? String == "https://posthog.com/docs")
        let identify = try #require(result["identify"] as? [String: Any])
        #expect(identify["event"] as? String == "$identify")
        #expect((identify["$set"] as? [String: String]) == ["email": "test@posthog.com"])
        #expect(((identify["properties"] as? [String: Any])?["$set"] as? [String: String]) == ["email": "test@posthog.com"])
        #expect(result["fresh"] as? Bool == true)
        #expect(result["sameRetryError"] as? Bool == true)
        #expect(result["sameHelpers"] as? Bool == true)
    }

    // MARK: @posthog/plugin-contrib createBuffer

    /// A plugin whose `add` events go into a buffer and whose `report` event returns what was flushed.
    static func bufferPlugin(limit: Int, timeoutSeconds: Double = 60, onFlushBody: String = "") -> String {
        """
        import { createBuffer } from '@posthog/plugin-contrib'
        export function setupPlugin({ global }) {
          global.flushed = []
          global.buffer = createBuffer({
            limit: \(limit),
            timeoutSeconds: \(timeoutSeconds),
            onFlush: async (items, points) => {
              global.flushed.push({ items, points })
              \(onFlushBody)
            },
          })
        }
        export async function processEvent(event, { global }) {
          if (event.event === 'add' || event.event === 'addAndFlush') global.buffer.add(event.properties.item, event.properties.points)
          if (event.event === 'flush' || event.event === 'addAndFlush') {
            await global.buffer.flush().catch((error) => { global.flushError = String(error) })
          }
          event.properties.result = {
            flushed: global.flushed, items: global.buffer.items, points: global.buffer.points, flushError: global.flushError ?? null,
          }
          return event
        }
        """
    }

    @Test func createBufferFlushesByLimit() async throws {
        let harness = try PluginHarness()
        try await harness.load(Self.bufferPlugin(limit: 3))
        for item in ["a", "b"] {
            let result = try await Self.result(of: harness, event: "add", properties: ["item": item])
            #expect((result["flushed"] as? [Any])?.isEmpty == true)
        }
        var result = try await Self.result(of: harness, event: "add", properties: ["item": "c"])
        #expect(Self.batches(result) == [["a", "b", "c"]])
        #expect(result["points"] as? Int == 0)

        // Two points, then two more: the second would overflow 3, so the first is flushed alone before it.
        _ = try await Self.result(of: harness, event: "add", properties: ["item": "d", "points": 2])
        result = try await Self.result(of: harness, event: "add", properties: ["item": "e", "points": 2])
        #expect(Self.batches(result) == [["a", "b", "c"], ["d"]])
        #expect(result["items"] as? [String] == ["e"])
        #expect(result["points"] as? Int == 2)

        result = try await Self.result(of: harness, event: "flush")
        #expect(Self.batches(result) == [["a", "b", "c"], ["d"], ["e"]])
        let points = (result["flushed"] as? [[String: Any]])?.map { $0["points"] as? Int }
        #expect(points == [3, 2, 2])
    }

    @Test func createBufferFlushesAfterItsTimeout() async throws {
        let harness = try PluginHarness()
        try await harness.load(Self.bufferPlugin(limit: 100, timeoutSeconds: 0.2))
        _ = try await Self.result(of: harness, event: "add", properties: ["item": "first"])
        _ = try await Self.result(of: harness, event: "add", properties: ["item": "second"])
        let flushed = try await Self.poll(harness) { Self.batches($0) == [["first", "second"]] }
        #expect(flushed)
        // The timer is armed again by the next first item.
        _ = try await Self.result(of: harness, event: "add", properties: ["item": "third"])
        let flushedAgain = try await Self.poll(harness) { Self.batches($0) == [["first", "second"], ["third"]] }
        #expect(flushedAgain)
    }

    @Test func onFlushErrorsAreLoggedAndDoNotStopThePlugin() async throws {
        let harness = try PluginHarness()
        try await harness.load(Self.bufferPlugin(limit: 2, timeoutSeconds: 0.1, onFlushBody: "throw new Error('export failed')"))
        // By limit.
        _ = try await Self.result(of: harness, event: "add", properties: ["item": "a", "points": 2])
        // By timeout.
        _ = try await Self.result(of: harness, event: "add", properties: ["item": "b"])
        let logged = try await Self.poll(harness) { _ in
            harness.messages(source: .console).filter { $0 == "createBuffer: onFlush failed: Error: export failed" }.count == 2
        }
        #expect(logged)
        // An explicit flush hands the error to its caller instead.
        let result = try await Self.result(of: harness, event: "addAndFlush", properties: ["item": "c"])
        #expect(result["flushError"] as? String == "Error: export failed")
        #expect(Self.batches(result) == [["a"], ["b"], ["c"]])
    }

    @Test func aPendingTimerDiesWithItsPlugin() async throws {
        let harness = try PluginHarness()
        try await harness.load(Self.bufferPlugin(limit: 100, timeoutSeconds: 0.3, onFlushBody: "console.log('flushed', items)"))
        _ = try await Self.result(of: harness, event: "add", properties: ["item": "never"])
        await harness.runtime.unload(pluginConfigID: 39, teamID: 2)
        try await Task.sleep(for: .milliseconds(800))
        #expect(!harness.messages(source: .console).contains { $0.hasPrefix("flushed") })
    }

    // MARK: generic-pool

    @Test func genericPoolHonoursMaxAndHandsReleasedResourcesToWaiters() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            import { createPool } from 'generic-pool'
            export async function processEvent(event) {
              const log = []
              let created = 0
              const pool = createPool({
                create: async () => ({ id: ++created }),
                destroy: async (resource) => { log.push(`destroy ${resource.id}`) },
              }, { max: 2, min: 0 })
              const counts = () => ({ size: pool.size, available: pool.available, borrowed: pool.borrowed, pending: pool.pending })
              const first = await pool.acquire()
              const second = await pool.acquire()
              let thirdResolved = false
              const third = pool.acquire().then((resource) => { thirdResolved = true; return resource })
              await Promise.resolve()
              const whileFull = counts()
              const thirdResolvedWhileFull = thirdResolved
              await pool.release(first)
              const thirdResource = await third
              const afterRelease = { ...counts(), third: thirdResource.id }
              await pool.release(second)
              await pool.release(thirdResource)
              const drained = pool.drain()
              const refused = await pool.acquire().then(() => 'acquired', (error) => error.message)
              await drained
              await pool.clear()
              event.properties.result = {
                max: pool.max, min: pool.min, first: first.id, second: second.id,
                whileFull, thirdResolvedWhileFull, afterRelease, refused, log, afterClear: counts(), created,
              }
              return event
            }
            """)
        let result = try await Self.result(of: harness)
        #expect(result["max"] as? Int == 2)
        #expect(result["min"] as? Int == 0)
        #expect(result["first"] as? Int == 1 && result["second"] as? Int == 2)
        #expect(result["whileFull"] as? [String: Int] == ["size": 2, "available": 0, "borrowed": 2, "pending": 1])
        #expect(result["thirdResolvedWhileFull"] as? Bool == false)
        #expect(result["afterRelease"] as? [String: Int] == ["size": 2, "available": 0, "borrowed": 2, "pending": 0, "third": 1])
        #expect(result["refused"] as? String == "pool is draining and cannot accept work")
        #expect(Set(result["log"] as? [String] ?? []) == ["destroy 1", "destroy 2"])
        #expect(result["afterClear"] as? [String: Int] == ["size": 0, "available": 0, "borrowed": 0, "pending": 0])
        #expect(result["created"] as? Int == 2)
    }

    @Test func genericPoolOptionsAndFailures() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            const genericPool = require('generic-pool')
            export async function processEvent(event) {
              let created = 0
              const results = {}
              // min is created up front; validate drops a stale resource on borrow.
              const pool = genericPool.createPool({
                create: async () => ({ id: ++created, stale: created === 1 }),
                destroy: async () => {},
                validate: async (resource) => !resource.stale,
              }, { max: 1, min: 1, testOnBorrow: true, acquireTimeoutMillis: 50 })
              await pool.ready()
              results.sizeAfterReady = pool.size
              const resource = await pool.acquire()
              results.borrowedId = resource.id
              results.isBorrowed = pool.isBorrowedResource(resource)
              results.timeout = await pool.acquire().then(() => 'acquired', (error) => `${error.name}: ${error.message}`)
              results.foreignRelease = await pool.release({ id: 99 }).then(() => 'released', (error) => error.message)
              results.used = await pool.release(resource).then(() => pool.use(async (r) => `used ${r.id}`))

              // A failing create rejects the waiting acquire and is reported to listeners.
              const reported = []
              const failing = genericPool.createPool({ create: async () => { throw new Error('no connection') }, destroy: async () => {} })
              failing.on('factoryCreateError', (error) => reported.push(error.message))
              results.createFailure = await failing.acquire().then(() => 'acquired', (error) => error.message)
              results.reported = reported
              results.badFactory = (() => { try { genericPool.createPool({}) } catch (error) { return error.message } })()
              event.properties.result = results
              return event
            }
            """)
        let result = try await Self.result(of: harness)
        #expect(result["sizeAfterReady"] as? Int == 1)
        #expect(result["borrowedId"] as? Int == 2)
        #expect(result["isBorrowed"] as? Bool == true)
        #expect(result["timeout"] as? String == "TimeoutError: ResourceRequest timed out")
        #expect(result["foreignRelease"] as? String == "Resource not currently part of this pool")
        #expect(result["used"] as? String == "used 2")
        #expect(result["createFailure"] as? String == "no connection")
        #expect(result["reported"] as? [String] == ["no connection"])
        #expect(result["badFactory"] as? String == "factory.create must be a function")
    }

    // MARK: Modules Quill does not provide

    static let unprovidedModules = [
        "@google-cloud/bigquery", "@google-cloud/pubsub", "snowflake-sdk", "jsonwebtoken", "faker", "kea",
    ]

    @Test(arguments: unprovidedModules)
    func unprovidedModuleIsRefusedAtCompileTime(_ module: String) async throws {
        let compiler = PluginCompiler(providedModules: PluginRuntime.providedModules)
        do {
            _ = try await compiler.compile(
                files: ["index.js": "import thing from '\(module)'\nexport function processEvent(e) { return thing(e) }\n"],
                entry: "index.js")
            Issue.record("\(module) compiled")
        } catch {
            #expect(error.moduleName == module)
            // The wording of each is CompilerTests'; here, that compile time and run time say the same.
            #expect(error.message == UnprovidedModules.refusal(for: module))
        }
    }

    @Test(arguments: unprovidedModules)
    func unprovidedModuleIsRefusedAtRuntime(_ module: String) async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function processEvent(event) {
              try {
                const name = '\(module)'
                require(name)
                event.properties.result = 'loaded'
              } catch (error) {
                event.properties.result = error.message
              }
              return event
            }
            """)
        let (event, _) = try await harness.process(sampleEvent())
        #expect((event?["properties"] as? [String: Any])?["result"] as? String == UnprovidedModules.refusal(for: module))
    }

    // MARK: Together

    @Test func anExportPluginBuffersGzipsAndAuthenticates() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            import { createBuffer } from '@posthog/plugin-contrib'
            import { gzipSync, gunzipSync } from 'zlib'
            import { createHash } from 'crypto'

            export function setupPlugin({ config, global }) {
              const authorization = 'Basic ' + Buffer.from(`${config.username}:${config.password}`).toString('base64')
              global.requests = []
              global.buffer = createBuffer({
                limit: 2,
                timeoutSeconds: 60,
                onFlush: async (batch) => {
                  const body = gzipSync(JSON.stringify({ batch }))
                  global.requests.push({
                    headers: {
                      Authorization: authorization,
                      'Content-Encoding': 'gzip',
                      'Content-MD5': createHash('md5').update(body).digest('base64'),
                    },
                    body,
                  })
                },
              })
            }

            export async function processEvent(event, { global }) {
              if (event.event === 'report') {
                await global.buffer.flush()
                event.properties.requests = global.requests.map((request) => ({
                  headers: request.headers,
                  magic: Buffer.from(request.body.subarray(0, 2)).toString('hex'),
                  sent: JSON.parse(gunzipSync(request.body).toString()).batch.map((e) => e.event),
                  md5Matches: createHash('md5').update(request.body).digest('base64') === request.headers['Content-MD5'],
                }))
              } else {
                global.buffer.add({ event: event.event, distinct_id: event.distinct_id })
              }
              return event
            }

            export async function teardownPlugin({ global }) {
              await global.buffer.flush()
            }
            """, config: ["username": "ada", "password": "pässword"])
        for name in ["one", "two", "three"] {
            _ = try await harness.process(sampleEvent(name))
        }
        let (event, _) = try await harness.process(sampleEvent("report"))
        let requests = try #require((event?["properties"] as? [String: Any])?["requests"] as? [[String: Any]])
        let expectedAuthorization = "Basic " + Data("ada:pässword".utf8).base64EncodedString()
        #expect(requests.count == 2)
        for request in requests {
            let headers = request["headers"] as? [String: String]
            #expect(headers?["Authorization"] == expectedAuthorization)
            #expect(headers?["Content-Encoding"] == "gzip")
            #expect(request["magic"] as? String == "1f8b")
            #expect(request["md5Matches"] as? Bool == true)
        }
        #expect(requests.map { $0["sent"] as? [String] } == [["one", "two"], ["three"]])
    }

    // MARK: Helpers

    /// Runs one event through team 2's chain and returns its `properties.result`.
    static func result(
        of harness: PluginHarness, event name: String = "$pageview", properties: [String: Any] = [:]
    ) async throws -> [String: Any] {
        let (event, _) = try await harness.process(sampleEvent(name, properties: properties))
        return try #require((event?["properties"] as? [String: Any])?["result"] as? [String: Any])
    }

    /// The items of each flushed batch a buffer plugin reports.
    static func batches(_ result: [String: Any]) -> [[String]]? {
        (result["flushed"] as? [[String: Any]])?.map { $0["items"] as? [String] ?? [] }
    }

    /// Asks the buffer plugin for its state until `condition` holds, for up to 5 seconds.
    static func poll(_ harness: PluginHarness, until condition: ([String: Any]) -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if condition(try await result(of: harness, event: "report")) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
