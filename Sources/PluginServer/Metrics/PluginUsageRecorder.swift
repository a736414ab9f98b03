import Foundation
import Logging
import PluginRuntime
import ServiceLifecycle
import Storage

/// Adds the plugin-seconds the runtime counts to the durable per-hour totals: every few seconds,
/// when the usage API is read, and once more at shutdown (after the plugins' teardown).
actor PluginUsageRecorder: Service {
    private let runtime: PluginRuntime
    private let store: any PluginUsageStore
    private let interval: Duration
    private let logger: Logger
    /// Each config's (seconds, calls) as last written.
    private var written: [Int: (seconds: Double, calls: Int)] = [:]

    init(runtime: PluginRuntime, store: any PluginUsageStore, interval: Duration = .seconds(10), logger: Logger) {
        self.runtime = runtime
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            await flush()
        }
    }

    /// The team's usage from `since` on, counted up to this moment.
    func usage(teamID: Int, since: Date) async throws -> [PluginUsage] {
        await flush()
        return try await store.usage(teamID: teamID, since: since)
    }

    /// Writes what the runtime counted since the last write, under the current hour.
    func flush() async {
        let hour = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        var entries: [PluginUsage] = []
        var totals: [Int: (seconds: Double, calls: Int)] = [:]
        for config in await runtime.usage() {
            let total = (
                seconds: config.statistics.seconds,
                calls: config.statistics.functions.values.reduce(0) { $0 + $1.calls }
            )
            totals[config.pluginConfigID] = total
            let previous = written[config.pluginConfigID] ?? (0, 0)
            guard total.calls > previous.calls || total.seconds > previous.seconds else { continue }
            entries.append(
                PluginUsage(
                    teamID: config.teamID, pluginConfigID: config.pluginConfigID, hour: hour,
                    seconds: total.seconds - previous.seconds, calls: total.calls - previous.calls))
        }
        do {
            try await store.add(entries)
            written.merge(totals) { $1 }
        } catch {
            // Kept for the next write: nothing is counted twice or lost.
            logger.error("Could not record plugin usage", metadata: ["error": "\(error)"])
        }
    }
}
