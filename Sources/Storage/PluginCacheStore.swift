/// The fast, volatile key-value store behind `meta.cache`, with Redis's semantics.
///
/// Values are strings (JSON text unless the plugin asked for raw values); lists hold strings, head first.
public protocol PluginCacheStore: Sendable {
    func get(_ key: PluginCacheKey) async throws -> String?
    /// Sets `key` to `value`, expiring after `ttl` when given.
    func set(_ key: PluginCacheKey, to value: String, ttl: Duration?) async throws
    /// Adds 1 to the integer at `key` (0 when absent) and returns the result.
    func increment(_ key: PluginCacheKey) async throws -> Int
    /// Expires `key` after `ttl` (at once when zero); `false` when the key doesn't exist.
    func expire(_ key: PluginCacheKey, after ttl: Duration) async throws -> Bool
    /// Pushes `values` one by one onto the head of the list at `key`; returns its new length.
    func pushFront(_ key: PluginCacheKey, _ values: [String]) async throws -> Int
    /// The elements from `start` to `stop` inclusive; negative indices count from the tail.
    func range(_ key: PluginCacheKey, from start: Int, through stop: Int) async throws -> [String]
    func length(_ key: PluginCacheKey) async throws -> Int
    /// Removes `count` elements equal to `value`: from the head if positive, the tail if negative, all if zero.
    func remove(_ key: PluginCacheKey, count: Int, value: String) async throws -> Int
    /// Removes and returns up to `count` elements from the head.
    func popFront(_ key: PluginCacheKey, count: Int) async throws -> [String]
}

/// A cache key in its namespace: one plugin's keys in one team, as PostHog's Redis keys
/// (`@plugin/PLUGIN/TEAM/`) are. The bounds on keys and bytes apply per namespace.
public struct PluginCacheKey: Hashable, Sendable, CustomStringConvertible {
    public var namespace: String
    /// The key the plugin gave.
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { name }
}

/// An error of the cache, such as a list operation on a plain value or a bound passed.
public struct PluginCacheError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}
