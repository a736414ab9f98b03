public import Storage

/// `meta.cache` in Redis, shared by every Quill instance that points at it, with PostHog's keys: a plugin's key
/// `name` in team `TEAM` is `@plugin/PLUGIN/TEAM/name`.
///
/// The bounds on one key, one value and one list apply as in memory; Redis's own memory policy
/// (`maxmemory`) bounds the whole, not `QUILL_CACHE_MAX_KEYS` / `QUILL_CACHE_MAX_BYTES`.
public final class RedisPluginCacheStore: PluginCacheStore {
    private let client: RedisClient
    private let limits: PluginCacheLimits

    public init(client: RedisClient, limits: PluginCacheLimits = PluginCacheLimits()) {
        self.client = client
        self.limits = limits
    }

    public func get(_ key: PluginCacheKey) async throws -> String? {
        try await string(send(["GET", redisKey(key)], key))
    }

    public func set(_ key: PluginCacheKey, to value: String, ttl: Duration?) async throws {
        try limits.checkValue(value, at: key)
        var command = ["SET", try redisKey(key), value]
        if let ttl { command += ["PX", String(max(1, milliseconds(ttl)))] }
        _ = try await send(command, key)
    }

    public func increment(_ key: PluginCacheKey) async throws -> Int {
        do {
            return try integer(await client.send(["INCR", redisKey(key)]))
        } catch let error as RedisError
            where error.description.contains("not an integer") || error.description.hasPrefix("WRONGTYPE")
        {
            throw PluginCacheError(description: "cache value at '\(key)' is not an integer")
        } catch let error as RedisError where error.description.contains("overflow") {
            throw PluginCacheError(description: "cache value at '\(key)' would overflow")
        }
    }

    public func expire(_ key: PluginCacheKey, after ttl: Duration) async throws -> Bool {
        if ttl <= .zero { return try integer(await send(["DEL", redisKey(key)], key)) == 1 }
        return try integer(await send(["PEXPIRE", redisKey(key), String(max(1, milliseconds(ttl)))], key)) == 1
    }

    public func pushFront(_ key: PluginCacheKey, _ values: [String]) async throws -> Int {
        for value in values { try limits.checkValue(value, at: key) }
        let redisKey = try redisKey(key)
        // Checked before the push, so two instances pushing at once may pass the bound by one push.
        let length = try integer(await send(["LLEN", redisKey], key)) + values.count
        try limits.checkListLength(length, at: key)
        guard !values.isEmpty else { return length }
        return try integer(await send(["LPUSH", redisKey] + values, key))
    }

    public func range(_ key: PluginCacheKey, from start: Int, through stop: Int) async throws -> [String] {
        try strings(await send(["LRANGE", redisKey(key), String(start), String(stop)], key))
    }

    public func length(_ key: PluginCacheKey) async throws -> Int {
        try integer(await send(["LLEN", redisKey(key)], key))
    }

    public func remove(_ key: PluginCacheKey, count: Int, value: String) async throws -> Int {
        // Int.min has no positive twin: like zero, it removes them all.
        try integer(await send(["LREM", redisKey(key), String(count == .min ? 0 : count), value], key))
    }

    public func popFront(_ key: PluginCacheKey, count: Int) async throws -> [String] {
        guard count > 0 else {
            _ = try await length(key)  // still refuses a plain value, as in memory
            return []
        }
        return try strings(await send(["LPOP", redisKey(key), String(count)], key))
    }

    private func redisKey(_ key: PluginCacheKey) throws -> String {
        try limits.checkKey(key)
        return key.namespace + key.name
    }

    /// Sends a command about `key`; a value of the wrong kind is the error the memory store gives.
    private func send(_ command: [String], _ key: PluginCacheKey) async throws -> RESPValue {
        do {
            return try await client.send(command)
        } catch let error as RedisError where error.description.hasPrefix("WRONGTYPE") {
            throw PluginCacheError(description: "cache key '\(key)' holds the wrong kind of value for this operation")
        }
    }

    private func integer(_ value: RESPValue) throws -> Int {
        guard case .integer(let number) = value else { throw unexpected(value) }
        return number
    }

    private func string(_ value: RESPValue) throws -> String? {
        switch value {
        case .bulkString(let bytes): return bytes.map { String(decoding: $0, as: UTF8.self) }
        default: throw unexpected(value)
        }
    }

    private func strings(_ value: RESPValue) throws -> [String] {
        switch value {
        case .array(nil), .bulkString(nil): return []
        case .array(let elements?): return try elements.map { try string($0) ?? "" }
        default: throw unexpected(value)
        }
    }

    private func unexpected(_ value: RESPValue) -> RedisError {
        RedisError(description: "Redis answered a cache command with \(value)")
    }

    /// Whole milliseconds, at most a century: Redis refuses expiry times past its clock's range.
    private func milliseconds(_ duration: Duration) -> Int {
        let century = 100 * 365 * 86_400
        let (seconds, attoseconds) = duration.components
        guard seconds < century else { return century * 1_000 }
        return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
