public import Foundation
import Storage
import Synchronization

extension PluginConfigDefinition {
    /// `name (id)`: how the chain's `$plugins_*` properties name this config.
    var label: String { "\(pluginName) (\(id))" }
}

/// The last error of a plugin config, as PostHog records it (`pluginconfig.error`).
public struct PluginErrorRecord: Sendable, Equatable {
    public var name: String
    public var message: String
    public var stack: String?
    public var time: Date
    /// The event (JSON) being processed when the error happened, if any.
    public var event: String?
}

/// What a plugin config has done since the server started, across reloads.
public struct PluginStatistics: Sendable, Equatable {
    /// Events its `processEvent` was given, and how they ended.
    public var eventsIn = 0
    public var eventsSucceeded = 0
    public var eventsFailed = 0
    public var eventsDropped = 0
    /// Calls of each function by name (`processEvent`, `setupPlugin`, …).
    public var functions: [String: FunctionStatistics] = [:]

    public init() {}

    /// Seconds spent inside the plugin's functions: the seeds' plugin-seconds.
    public var seconds: Double { functions.values.reduce(0) { $0 + $1.seconds } }

    /// Adds what `other` counted: a config's figures from another script thread.
    mutating func add(_ other: PluginStatistics) {
        eventsIn += other.eventsIn
        eventsSucceeded += other.eventsSucceeded
        eventsFailed += other.eventsFailed
        eventsDropped += other.eventsDropped
        for (name, function) in other.functions { functions[name, default: FunctionStatistics()].add(function) }
    }
}

/// Calls of one plugin function.
public struct FunctionStatistics: Sendable, Equatable {
    /// The upper bounds (seconds) of the call duration histogram's buckets; a last bucket takes the rest.
    public static let durationBucketBounds: [Double] = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30]

    public var calls = 0
    public var errors = 0
    public var timeouts = 0
    /// Wall time from call to settled promise, in seconds.
    public var seconds: Double = 0
    /// Calls per duration bucket (not cumulative); one more than `durationBucketBounds`.
    public var durationBuckets = [Int](repeating: 0, count: durationBucketBounds.count + 1)

    mutating func add(_ other: FunctionStatistics) {
        calls += other.calls
        errors += other.errors
        timeouts += other.timeouts
        seconds += other.seconds
        for index in durationBuckets.indices { durationBuckets[index] += other.durationBuckets[index] }
    }

    mutating func record(seconds: Double, timedOut: Bool, failed: Bool) {
        calls += 1
        self.seconds += seconds
        if failed { errors += 1 }
        if timedOut { timeouts += 1 }
        durationBuckets[Self.durationBucketBounds.firstIndex { seconds <= $0 } ?? Self.durationBucketBounds.count] += 1
    }
}

/// A plugin config's statistics on one script thread, shared by the config's successive VMs there so
/// reloads don't reset them. Counted on the thread, read from anywhere: a metrics scrape never waits
/// for a thread held by a long call.
final class PluginStatisticsRecord: Sendable {
    let teamID: Int
    let pluginID: Int
    let pluginName: String
    private let statistics = Mutex(PluginStatistics())

    init(teamID: Int, pluginID: Int, pluginName: String) {
        self.teamID = teamID
        self.pluginID = pluginID
        self.pluginName = pluginName
    }

    var value: PluginStatistics { statistics.withLock { $0 } }

    func update(_ change: (inout PluginStatistics) -> Void) {
        statistics.withLock { change(&$0) }
    }
}

/// Every config's statistics records, one per script thread that ran it, kept after the config is unloaded:
/// its plugin-seconds still count for its team.
final class StatisticsBook: Sendable {
    private let records = Mutex<[Int: [Int: PluginStatisticsRecord]]>([:])

    /// The config's record for `worker`, made on first use; a reload under a new name starts a new record
    /// with the figures so far.
    func record(for definition: PluginConfigDefinition, worker: Int) -> PluginStatisticsRecord {
        records.withLock { records in
            if let record = records[definition.id]?[worker], record.pluginName == definition.pluginName,
                record.pluginID == definition.pluginID
            {
                return record
            }
            let record = PluginStatisticsRecord(teamID: definition.teamID, pluginID: definition.pluginID, pluginName: definition.pluginName)
            if let previous = records[definition.id]?[worker] { record.update { $0.add(previous.value) } }
            records[definition.id, default: [:]][worker] = record
            return record
        }
    }

    /// Every config with its figures summed over the threads; `isLoaded` as `isLoaded` says.
    func usage(isLoaded: (Int) -> Bool) -> [PluginConfigUsage] {
        let all = records.withLock { $0 }
        return all.keys.sorted().compactMap { id in
            let threads = all[id]!.values
            guard let first = threads.first else { return nil }
            var statistics = PluginStatistics()
            for record in threads { statistics.add(record.value) }
            return PluginConfigUsage(
                pluginConfigID: id, teamID: first.teamID, pluginID: first.pluginID, pluginName: first.pluginName,
                isLoaded: isLoaded(id), statistics: statistics)
        }
    }
}

/// What one plugin config of the runtime has done, for metrics and billing.
public struct PluginConfigUsage: Sendable, Equatable {
    public var pluginConfigID: Int
    public var teamID: Int
    public var pluginID: Int
    public var pluginName: String
    /// Whether a VM of the config is loaded now (a removed or disabled config keeps its figures).
    public var isLoaded: Bool
    public var statistics: PluginStatistics
}

/// The runtime's plugin VMs and JavaScript heaps at one moment.
public struct PluginEngineMemory: Sendable {
    /// Loaded plugin VMs (one JavaScript context each).
    public var vmCount: Int
    /// Bytes of JavaScript objects found live by the heaps' last garbage collections.
    public var heapSize: Int
    /// Bytes the heaps have reserved from the system.
    public var heapCapacity: Int
    /// Bytes outside the heaps that JavaScript objects own (array buffers, strings).
    public var heapExtraMemory: Int
}
