/// The fast, volatile key-value store behind `meta.cache`, with Redis's semantics.
///
/// Keys arrive already namespaced per plugin and team. Values are strings (JSON text unless the
/// plugin asked for raw values); lists hold strings, head first.
public protocol PluginCacheStore: Sendable {
    func get(_ key: String) async throws -> String?
    /// Sets `key` to `value`, expiring after `ttl` when given.
    func set(_ key: String, to value: String, ttl: Duration?) async throws
    /// Adds 1 to the integer at `key` (0 when absent) and returns the result.
    func increment(_ key: String) async throws -> Int
    /// Expires `key` after `ttl` (at once when zero); `false` when the key doesn't exist.
    func expire(_ key: String, after ttl: Duration) async throws -> Bool
    /// Pushes `values` one by one onto the head of the list at `key`; returns its new length.
    func pushFront(_ key: String, _ values: [String]) async throws -> Int
    /// The elements from `start` to `stop` inclusive; negative indices count from the tail.
    func range(_ key: String, from start: Int, through stop: Int) async throws -> [String]
    func length(_ key: String) async throws -> Int
    /// Removes `count` elements equal to `value`: from the head if positive, the tail if negative, all if zero.
    func remove(_ key: String, count: Int, value: String) async throws -> Int
    /// Removes and returns up to `count` elements from the head.
    func popFront(_ key: String, count: Int) async throws -> [String]
}

/// An error of the cache, such as a list operation on a plain value.
public struct PluginCacheError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
