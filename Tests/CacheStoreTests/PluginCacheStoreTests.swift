import Foundation
import NIOCore
import QuillTestSupport
import Storage
@testable import StorageRedis
import Testing

/// Where a test's cache lives: the embedded store, or Redis on a throw-away server.
enum CacheBackend: String, CaseIterable, CustomTestStringConvertible {
    case memory, redis

    var testDescription: String { rawValue }

    /// A store with `limits`, and what keeps its server alive for the test.
    func store(limits: PluginCacheLimits = PluginCacheLimits()) async throws -> (any PluginCacheStore, RedisTestServer?) {
        switch self {
        case .memory:
            return (MemoryPluginCacheStore(limits: limits), nil)
        case .redis:
            let server = try await RedisTestServer.start()
            let client = RedisClient(endpoint: try RedisEndpoint(url: server.url))
            return (RedisPluginCacheStore(client: client, limits: limits), server)
        }
    }
}

/// One suite for every cache backend: what `meta.cache` promises plugins, with Redis's semantics.
@Suite struct PluginCacheStoreTests {
    private static func key(_ name: String, team: Int = 1) -> PluginCacheKey {
        PluginCacheKey(namespace: "@plugin/7/\(team)/", name: name)
    }

    @Test(arguments: CacheBackend.allCases)
    func valuesAreSetReadAndReplaced(_ backend: CacheBackend) async throws {
        let (cache, server) = try await backend.store()
        defer { withExtendedLifetime(server) {} }
        #expect(try await cache.get(Self.key("absent")) == nil)
        try await cache.set(Self.key("greeting"), to: "\"hello\"", ttl: nil)
        #expect(try await cache.get(Self.key("greeting")) == "\"hello\"")
        try await cache.set(Self.key("greeting"), to: "ünïcödé ✓", ttl: nil)
        #expect(try await cache.get(Self.key("greeting")) == "ünïcödé ✓")
        #expect(try await cache.get(Self.key("greeting", team: 2)) == nil, "another team's namespace is its own")
    }

    @Test(arguments: CacheBackend.allCases)
    func timeToLiveAndExpireRemoveValues(_ backend: CacheBackend) async throws {
        let (cache, server) = try await backend.store()
        defer { withExtendedLifetime(server) {} }
        try await cache.set(Self.key("short"), to: "1", ttl: .milliseconds(100))
        try await cache.set(Self.key("kept"), to: "1", ttl: nil)
        #expect(try await cache.expire(Self.key("absent"), after: .seconds(1)) == false)
        #expect(try await cache.expire(Self.key("kept"), after: .milliseconds(100)) == true)
        try await cache.set(Self.key("gone"), to: "1", ttl: nil)
        #expect(try await cache.expire(Self.key("gone"), after: .zero) == true)
        #expect(try await cache.get(Self.key("gone")) == nil, "a zero expiry removes at once")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await cache.get(Self.key("short")) == nil)
        #expect(try await cache.get(Self.key("kept")) == nil)
    }

    @Test(arguments: CacheBackend.allCases)
    func incrementCountsFromZeroAndRefusesWhatIsNotAnInteger(_ backend: CacheBackend) async throws {
        let (cache, server) = try await backend.store()
        defer { withExtendedLifetime(server) {} }
        #expect(try await cache.increment(Self.key("count")) == 1)
        #expect(try await cache.increment(Self.key("count")) == 2)
        #expect(try await cache.get(Self.key("count")) == "2")
        try await cache.set(Self.key("word"), to: "abc", ttl: nil)
        await #expect { try await cache.increment(Self.key("word")) } throws: { error in
            (error as? PluginCacheError)?.description == "cache value at 'word' is not an integer"
        }
        try await cache.set(Self.key("top"), to: String(Int.max), ttl: nil)
        await #expect { try await cache.increment(Self.key("top")) } throws: { error in
            (error as? PluginCacheError)?.description == "cache value at 'top' would overflow"
        }
    }

    @Test(arguments: CacheBackend.allCases)
    func listsPushOntoTheHeadAndReadRemoveAndPopAsRedisDoes(_ backend: CacheBackend) async throws {
        let (cache, server) = try await backend.store()
        defer { withExtendedLifetime(server) {} }
        let list = Self.key("list")
        #expect(try await cache.pushFront(list, ["a", "b", "a", "c", "a"]) == 5)
        #expect(try await cache.range(list, from: 0, through: -1) == ["a", "c", "a", "b", "a"])
        #expect(try await cache.range(list, from: 1, through: 2) == ["c", "a"])
        #expect(try await cache.range(list, from: -2, through: -1) == ["b", "a"])
        #expect(try await cache.range(list, from: 3, through: 1) == [])
        #expect(try await cache.length(list) == 5)
        #expect(try await cache.remove(list, count: 1, value: "a") == 1)
        #expect(try await cache.range(list, from: 0, through: -1) == ["c", "a", "b", "a"])
        #expect(try await cache.remove(list, count: -1, value: "a") == 1)
        #expect(try await cache.range(list, from: 0, through: -1) == ["c", "a", "b"])
        #expect(try await cache.popFront(list, count: 2) == ["c", "a"])
        #expect(try await cache.popFront(list, count: 0) == [])
        #expect(try await cache.popFront(list, count: 5) == ["b"])
        #expect(try await cache.length(list) == 0)
        #expect(try await cache.get(list) == nil, "an emptied list no longer exists")
        #expect(try await cache.range(Self.key("absent"), from: 0, through: -1) == [])
        #expect(try await cache.popFront(Self.key("absent"), count: 3) == [])
    }

    @Test(arguments: CacheBackend.allCases)
    func aValueOfTheWrongKindIsAClearError(_ backend: CacheBackend) async throws {
        let (cache, server) = try await backend.store()
        defer { withExtendedLifetime(server) {} }
        _ = try await cache.pushFront(Self.key("list"), ["x"])
        try await cache.set(Self.key("plain"), to: "1", ttl: nil)
        let wrongKind = { (name: String) in
            { (error: any Error) in
                (error as? PluginCacheError)?.description == "cache key '\(name)' holds the wrong kind of value for this operation"
            }
        }
        await #expect(performing: { try await cache.get(Self.key("list")) }, throws: wrongKind("list"))
        await #expect(performing: { try await cache.pushFront(Self.key("plain"), ["y"]) }, throws: wrongKind("plain"))
        await #expect(performing: { try await cache.range(Self.key("plain"), from: 0, through: -1) }, throws: wrongKind("plain"))
        await #expect(performing: { try await cache.popFront(Self.key("plain"), count: 0) }, throws: wrongKind("plain"))
    }

    @Test(arguments: CacheBackend.allCases)
    func boundsOnKeysValuesAndListsHoldOnEveryBackend(_ backend: CacheBackend) async throws {
        var limits = PluginCacheLimits()
        limits.maximumKeyBytes = 8
        limits.maximumValueBytes = 16
        limits.maximumListLength = 3
        let (cache, server) = try await backend.store(limits: limits)
        defer { withExtendedLifetime(server) {} }
        await #expect(throws: PluginCacheError.self) { try await cache.set(Self.key("much-too-long"), to: "1", ttl: nil) }
        await #expect(throws: PluginCacheError.self) {
            try await cache.set(Self.key("big"), to: String(repeating: "x", count: 17), ttl: nil)
        }
        #expect(try await cache.get(Self.key("big")) == nil, "a refused value changes nothing")
        #expect(try await cache.pushFront(Self.key("list"), ["1", "2", "3"]) == 3)
        await #expect(throws: PluginCacheError.self) { try await cache.pushFront(Self.key("list"), ["4"]) }
        #expect(try await cache.length(Self.key("list")) == 3)
    }
}

/// What only the Redis store has: PostHog's key layout, the protocol reader, and Redis going away.
@Suite struct RedisPluginCacheStoreTests {
    @Test func keysAreLaidOutAsPostHogsAre() async throws {
        let server = try await RedisTestServer.start()
        let client = RedisClient(endpoint: try RedisEndpoint(url: server.url))
        let cache = RedisPluginCacheStore(client: client)
        try await cache.set(PluginCacheKey(namespace: "@plugin/12/3/", name: "seen"), to: "true", ttl: .seconds(60))
        #expect(try await client.send(["KEYS", "*"]) == .array([.bulkString(Array("@plugin/12/3/seen".utf8))]))
        guard case .integer(let milliseconds) = try await client.send(["PTTL", "@plugin/12/3/seen"]) else {
            Issue.record("PTTL did not answer an integer")
            return
        }
        #expect((59_000...60_000).contains(milliseconds))
    }

    @Test func twoClientsShareOneCache() async throws {
        let server = try await RedisTestServer.start()
        let first = RedisPluginCacheStore(client: RedisClient(endpoint: try RedisEndpoint(url: server.url)))
        let second = RedisPluginCacheStore(client: RedisClient(endpoint: try RedisEndpoint(url: server.url)))
        let key = PluginCacheKey(namespace: "@plugin/1/1/", name: "count")
        async let counted = withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask { try await (index.isMultiple(of: 2) ? first : second).increment(key) }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(try await counted.sorted() == Array(1...200), "every increment counted once, across both")
    }

    @Test func aRedisThatGoesAwayIsAnErrorAndOneThatComesBackIsUsedAgain() async throws {
        let server = try await RedisTestServer.start()
        let endpoint = try RedisEndpoint(url: server.url)
        let cache = RedisPluginCacheStore(client: RedisClient(endpoint: endpoint, connections: 2))
        let key = PluginCacheKey(namespace: "@plugin/1/1/", name: "x")
        try await cache.set(key, to: "1", ttl: nil)
        #expect(try await cache.get(key) == "1")
        await server.kill()
        for _ in 0..<3 {
            await #expect(throws: RedisError.self) { try await cache.get(key) }
        }
        await #expect { try await cache.get(key) } throws: { error in "\(error)".contains("could not be reached") }
        let again = try await RedisTestServer.start(port: server.port)
        #expect(try await cache.get(key) == nil, "the same store reconnects to the new server (which saved nothing)")
        try await cache.set(key, to: "2", ttl: nil)
        #expect(try await cache.get(key) == "2")
        withExtendedLifetime(again) {}
    }

    @Test func endpointsAreReadFromRedisURLs() throws {
        let full = try RedisEndpoint(url: "redis://worker:s%40cret@cache.internal:6380/2")
        #expect(full == RedisEndpoint.test(host: "cache.internal", port: 6380, user: "worker", password: "s@cret", database: 2))
        let plain = try RedisEndpoint(url: "redis://localhost")
        #expect(plain == RedisEndpoint.test(host: "localhost", port: 6379, user: nil, password: nil, database: 0))
        let passwordOnly = try RedisEndpoint(url: "redis://:secret@127.0.0.1:7000")
        #expect(passwordOnly.user == nil && passwordOnly.password == "secret")
        for bad in ["http://localhost", "redis://", "redis://host/one", "not a url at all"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisEndpoint(url: bad) }
        }
    }

    @Test func theProtocolReaderWaitsForWholeValuesAndRefusesHostileOnes() throws {
        func read(_ text: String) throws -> RESPValue? {
            var buffer = ByteBufferAllocator().buffer(string: text)
            return try RESPDecoder.value(from: &buffer, depth: 0)
        }
        #expect(try read("+OK\r\n") == .simpleString("OK"))
        #expect(try read(":-12\r\n") == .integer(-12))
        #expect(try read("$5\r\nhel") == nil, "half a bulk string waits for the rest")
        #expect(try read("$5\r\nhello\r\n") == .bulkString(Array("hello".utf8)))
        #expect(try read("$-1\r\n") == .bulkString(nil))
        #expect(try read("*2\r\n$1\r\na\r\n") == nil)
        #expect(try read("*2\r\n$1\r\na\r\n:3\r\n") == .array([.bulkString([97]), .integer(3)]))
        #expect(try read("-WRONGTYPE nope\r\n") == .error("WRONGTYPE nope"))
        #expect(throws: RESPProtocolError.self) { try read("$999999999999\r\n") }
        #expect(throws: RESPProtocolError.self) { try read("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n") }
        #expect(throws: RESPProtocolError.self) { try read("?what\r\n") }
        #expect(throws: RESPProtocolError.self) { try read("$1\r\nab\r\n") }
        #expect(throws: RESPProtocolError.self) { try read(":12\n") }
    }
}

extension RedisEndpoint {
    static func test(host: String, port: Int, user: String?, password: String?, database: Int) -> RedisEndpoint {
        var endpoint = try! RedisEndpoint(url: "redis://placeholder")
        endpoint.host = host
        endpoint.port = port
        endpoint.user = user
        endpoint.password = password
        endpoint.database = database
        return endpoint
    }
}
