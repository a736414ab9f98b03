public import Foundation
import Synchronization

/// One line of a plugin config's log, in PostHog's shape.
public struct PluginLogEntry: Sendable, Equatable, Codable {
    /// Who wrote the entry.
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// Quill itself: loading, unloading, setup retries.
        case system = "SYSTEM"
        /// An error a plugin function threw.
        case plugin = "PLUGIN"
        /// The plugin's own `console` calls.
        case console = "CONSOLE"
    }

    /// The entry's level; the `console` method that wrote it for console entries.
    public enum Level: String, Sendable, Codable, CaseIterable {
        case debug = "DEBUG"
        case log = "LOG"
        case info = "INFO"
        case warn = "WARN"
        case error = "ERROR"
    }

    public var id: UUID
    public var teamID: Int
    public var pluginID: Int
    public var pluginConfigID: Int
    public var timestamp: Date
    public var source: Source
    public var type: Level
    public var message: String
    /// The VM instance that wrote the entry; changes each time the config is loaded again.
    public var instanceID: UUID

    public init(
        id: UUID = UUID(), teamID: Int, pluginID: Int, pluginConfigID: Int, timestamp: Date = Date(),
        source: Source, type: Level, message: String, instanceID: UUID
    ) {
        self.id = id
        self.teamID = teamID
        self.pluginID = pluginID
        self.pluginConfigID = pluginConfigID
        self.timestamp = timestamp
        self.source = source
        self.type = type
        self.message = message
        self.instanceID = instanceID
    }
}

/// Where plugin log entries go. `append` must not block: it is called from plugin code.
public protocol PluginLogSink: Sendable {
    func append(_ entry: PluginLogEntry)
}

/// Keeps the most recent log entries in memory.
public final class MemoryPluginLogStore: PluginLogSink {
    private let entries = Mutex<[PluginLogEntry]>([])
    private let capacity: Int

    /// - Parameter capacity: How many entries to keep; older ones are dropped first.
    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public func append(_ entry: PluginLogEntry) {
        entries.withLock {
            $0.append(entry)
            if $0.count > capacity { $0.removeFirst($0.count - capacity) }
        }
    }

    /// The entries kept, oldest first.
    public var all: [PluginLogEntry] { entries.withLock { $0 } }

    /// The entries of one plugin config, oldest first.
    public func entries(pluginConfigID: Int) -> [PluginLogEntry] {
        entries.withLock { $0.filter { $0.pluginConfigID == pluginConfigID } }
    }
}

/// Log entries waiting to be written, and which configs are due for pruning: a config is pruned once it has written
/// a tenth of what it keeps since its last pruning (and on its first write, for what an earlier run left), so a
/// store holds at most 110 % of its bound per config while pruning seldom.
public struct PluginLogBuffer: Sendable {
    private var entries: [PluginLogEntry] = []
    /// Entries each config has written since its last pruning; a config not in it is pruned on its next write.
    private var writtenSincePruning: [Int: Int] = [:]
    private let pruningBatch: Int

    /// - Parameter entriesPerConfig: the entries a store keeps per config.
    public init(entriesPerConfig: Int) {
        pruningBatch = max(1, entriesPerConfig / 10)
    }

    public mutating func append(_ entry: PluginLogEntry) {
        entries.append(entry)
    }

    /// The waiting entries, and the configs to prune after writing them; the buffer is empty after.
    public mutating func take() -> (entries: [PluginLogEntry], dueForPruning: [Int]) {
        defer { entries.removeAll(keepingCapacity: true) }
        var due: [Int] = []
        for (id, count) in Dictionary(entries.map { ($0.pluginConfigID, 1) }, uniquingKeysWith: +) {
            let written = writtenSincePruning[id].map { $0 + count } ?? pruningBatch
            if written >= pruningBatch { due.append(id) }
            writtenSincePruning[id] = written >= pruningBatch ? 0 : written
        }
        return (entries, due)
    }
}
