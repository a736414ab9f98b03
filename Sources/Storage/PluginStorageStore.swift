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
    /// One config's keys: values and cursors.
    private struct Keys {
        var values: [String: String] = [:]
        var cursors: [String: Int] = [:]
    }

    private let configs = Mutex<[Int: Keys]>([:])
    private let limits: PluginStorageLimits

    public init(limits: PluginStorageLimits = PluginStorageLimits()) {
        self.limits = limits
    }

    public func value(forKey key: String, pluginConfigID: Int) async throws -> String? {
        configs.withLock { $0[pluginConfigID]?.values[key] }
    }

    public func setValue(_ json: String, forKey key: String, pluginConfigID: Int) async throws {
        try limits.check(key: key, json: json)
        try configs.withLock { configs throws(PluginStorageError) in
            // Read in place: a copy of the dictionary would make the write below copy it whole.
            let (exists, count) = (configs[pluginConfigID]?.values[key] != nil, configs[pluginConfigID]?.values.count ?? 0)
            guard exists || count < limits.maximumKeysPerConfig else { throw limits.tooManyKeys(key) }
            configs[pluginConfigID, default: Keys()].values[key] = json
        }
    }

    public func removeValue(forKey key: String, pluginConfigID: Int) async throws {
        _ = configs.withLock { $0[pluginConfigID]?.values.removeValue(forKey: key) }
    }

    public func initializeCursor(_ key: String, to initialValue: Int, pluginConfigID: Int) async throws {
        try limits.check(key: key)
        try configs.withLock { configs throws(PluginStorageError) in
            guard configs[pluginConfigID]?.cursors[key] == nil else { return }
            guard configs[pluginConfigID]?.cursors.count ?? 0 < limits.maximumKeysPerConfig else {
                throw limits.tooManyKeys(key, kind: "cursors")
            }
            configs[pluginConfigID, default: Keys()].cursors[key] = initialValue
        }
    }

    public func incrementCursor(_ key: String, by amount: Int, pluginConfigID: Int) async throws -> Int {
        try limits.check(key: key)
        return try configs.withLock { configs throws(PluginStorageError) in
            let current = configs[pluginConfigID]?.cursors[key]
            guard current != nil || configs[pluginConfigID]?.cursors.count ?? 0 < limits.maximumKeysPerConfig else {
                throw limits.tooManyKeys(key, kind: "cursors")
            }
            let (value, overflow) = (current ?? 0).addingReportingOverflow(amount)
            guard !overflow else { throw PluginStorageError(description: "cursor '\(key)' would overflow") }
            configs[pluginConfigID, default: Keys()].cursors[key] = value
            return value
        }
    }
}
