import Foundation
import OrderedJSON
import QuillTestSupport
import Testing

/// `quill serve` with `QUILL_REDIS_URL`: `meta.cache` lives in Redis, so two instances share it and it
/// outlives a restart.
@Suite struct RedisCacheServerTests {
    static let counter = [
        "plugin.json": #"{"name": "shared counter"}"#,
        "index.js": """
            async function processEvent(event, { cache }) {
              event.properties.count = await cache.incr('events')
              return event
            }
            """,
    ]

    @Test func twoInstancesAndARestartShareOneCache() async throws {
        let redis = try await RedisTestServer.start()
        let plugin = try TemporaryFolder(Self.counter)
        let first = try ServerProcess(environment: ["QUILL_REDIS_URL": redis.url])
        let second = try ServerProcess(environment: ["QUILL_REDIS_URL": redis.url])
        // Same plugin and project ids in both data folders, so the same Redis keys.
        for server in [first, second] {
            #expect(try await server.runQuill(["plugin", "install", plugin.path]).status == 0)
            try await server.start()
        }
        var counts: [Double] = []
        for (index, server) in [first, second, first, second].enumerated() {
            let event = try await captureAndWait(port: server.port, event: "counted \(index)")
            counts.append(try #require(event?["properties"]?["count"]?.doubleValue))
        }
        #expect(counts == [1, 2, 3, 4])

        await first.stop()
        try await first.start()
        let afterRestart = try await captureAndWait(port: first.port, event: "after restart")
        #expect(afterRestart?["properties"]?["count"]?.doubleValue == 5)
        await first.stop()
        await second.stop()
    }

    @Test func aRedisThatCannotBeReachedStopsTheStartWithItsReason() async throws {
        let redis = try await RedisTestServer.start()
        let url = redis.url
        await redis.kill()
        let server = try ServerProcess(environment: ["QUILL_REDIS_URL": url])
        await #expect { try await server.start() } throws: { error in
            "\(error)".contains("QUILL_REDIS_URL: Redis at 127.0.0.1:\(redis.port) could not be reached")
        }
        let malformed = try ServerProcess(environment: ["QUILL_REDIS_URL": "http://cache:6379"])
        await #expect { try await malformed.start() } throws: { error in
            "\(error)".contains("QUILL_REDIS_URL: not a redis:// URL")
        }
    }
}
