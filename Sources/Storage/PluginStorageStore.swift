import Synchronization

/// Persistent key-value storage of plugin configs (`meta.storage`, `meta.utils.cursor`).
///
/// Values are JSON text; each plugin config has its own keys.
public protocol PluginStorageStore: Sendable {
    /// The JSON text stored under `key`, or `nil`.
    func value(forKey key: String, pluginConfigID: Int) async throws -> String?
    /// Stores `json` under `key`, replacing what was there.
    func setValue(_ json: String, forKey key: String, pluginConfigID: Int) async throws
    /// Removes `key`; nothing happens when it is absent.
    func removeValue(forKey key: String, pluginConfigID: Int) async throws
    /// Creates the cursor `key` at `initialValue` unless it exists.
    func initializeCursor(_ key: String, to initialValue: Int, pluginConfigID: Int) async throws
    /// Adds `amount` to the cursor `key` (from 0 if absent) atomically and returns the new value.
    func incrementCursor(_ key: String, by amount: Int, pluginConfigID: Int) async throws -> Int
}

/// Plugin storage kept in memory: for `quill plugin run` and tests. Lost when the process exits.
public final class MemoryPluginStorageStore: PluginStorageStore {
    private struct Key: Hashable {
        var pluginConfigID: Int
        var key: String
    }

    private let values = Mutex<[Key: String]>([:])
    private let cursors = Mutex<[Key: Int]>([:])

    public init() {}

    public func value(forKey key: String, pluginConfigID: Int) async throws -> String? {
        values.withLock { $0[Key(pluginConfigID: pluginConfigID, key: key)] }
    }

    public func setValue(_ json: String, forKey key: String, pluginConfigID: Int) async throws {
        values.withLock { $0[Key(pluginConfigID: pluginConfigID, key: key)] = json }
    }

    public func removeValue(forKey key: String, pluginConfigID: Int) async throws {
        _ = values.withLock { $0.removeValue(forKey: Key(pluginConfigID: pluginConfigID, key: key)) }
    }

    public func initializeCursor(_ key: String, to initialValue: Int, pluginConfigID: Int) async throws {
        cursors.withLock {
            let cursorKey = Key(pluginConfigID: pluginConfigID, key: key)
            if $0[cursorKey] == nil { $0[cursorKey] = initialValue }
        }
    }

    public func incrementCursor(_ key: String, by amount: Int, pluginConfigID: Int) async throws -> Int {
        cursors.withLock {
            let cursorKey = Key(pluginConfigID: pluginConfigID, key: key)
            let value = ($0[cursorKey] ?? 0) + amount
            $0[cursorKey] = value
            return value
        }
    }
}
