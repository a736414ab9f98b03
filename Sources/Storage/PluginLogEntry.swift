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
