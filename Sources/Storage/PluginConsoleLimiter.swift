import Synchronization

/// Holds each plugin config's console output to ``PluginLogLimits`` on its way to another sink: a
/// line over the rate is dropped and counted, and a SYSTEM warning says how many were, once the
/// config has been quiet for as long as a burst takes to refill or at most once a minute while it
/// keeps dropping. Other sources' messages are cut to the longest line here; console lines come cut
/// by the host, before they leave JavaScript.
public final class PluginConsoleLimiter: PluginLogSink {
    private struct Config {
        var bucket: TokenBucket
        /// Dropped since the server started, for `/metrics`.
        var dropped = 0
        /// Dropped since the last warning, which names the config through this entry's IDs.
        var unreported = 0
        var lastDropped: PluginLogEntry?
        /// When the first line the next warning tells of was dropped.
        var unreportedSince: ContinuousClock.Instant?
    }

    private let base: any PluginLogSink
    private let limits: PluginLogLimits
    private let configs = Mutex<[Int: Config]>([:])
    /// How often a config that keeps dropping lines is told.
    private let warningInterval: Duration = .seconds(60)

    public init(base: any PluginLogSink, limits: PluginLogLimits) {
        self.base = base
        self.limits = limits
    }

    public func append(_ entry: PluginLogEntry) {
        guard entry.source == .console else {
            var entry = entry
            entry.message = limits.cut(entry.message)
            return base.append(entry)
        }
        let now = ContinuousClock.now
        let (admitted, warning) = configs.withLock { configs in
            var config =
                configs[entry.pluginConfigID] ?? Config(bucket: TokenBucket(burst: limits.burst, perSecond: limits.linesPerSecond))
            let admitted = config.bucket.take(now: now)
            if !admitted {
                config.dropped += 1
                config.unreported += 1
                config.lastDropped = entry
                if config.unreportedSince == nil { config.unreportedSince = now }
            }
            let warning = dueWarning(&config, now: now)
            configs[entry.pluginConfigID] = config
            return (admitted, warning)
        }
        // The warning tells of lines dropped before this one.
        if let warning { base.append(warning) }
        if admitted { base.append(entry) }
    }

    /// Writes the warnings that are due: the server calls this now and then, so that drops are told
    /// even when the plugin writes nothing more.
    public func reportDrops() {
        let now = ContinuousClock.now
        let warnings = configs.withLock { configs in
            configs.filter { $0.value.unreported > 0 }.keys.compactMap { id -> PluginLogEntry? in
                guard var config = configs[id], let warning = dueWarning(&config, now: now) else { return nil }
                configs[id] = config
                return warning
            }
        }
        for warning in warnings { base.append(warning) }
    }

    /// Console lines dropped per plugin config since the server started.
    public func droppedLines() -> [Int: Int] {
        configs.withLock { $0.compactMapValues { $0.dropped > 0 ? $0.dropped : nil } }
    }

    private func dueWarning(_ config: inout Config, now: ContinuousClock.Instant) -> PluginLogEntry? {
        guard config.unreported > 0, let dropped = config.lastDropped, let since = config.unreportedSince,
            config.bucket.isFull(now: now) || since.duration(to: now) >= warningInterval
        else { return nil }
        let count = config.unreported
        config.unreported = 0
        config.unreportedSince = nil
        return PluginLogEntry(
            teamID: dropped.teamID, pluginID: dropped.pluginID, pluginConfigID: dropped.pluginConfigID, source: .system,
            type: .warn,
            message: "Dropped \(groupedDigits(count)) console \(count == 1 ? "line" : "lines") over the limit of "
                + "\(groupedDigits(limits.burst)) at once and \(groupedDigits(limits.linesPerSecond)) a second "
                + "(QUILL_PLUGIN_LOG_BURST, QUILL_PLUGIN_LOG_RATE)",
            instanceID: dropped.instanceID)
    }
}
