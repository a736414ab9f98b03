import Foundation
import Storage
import PluginRuntime
import ServiceLifecycle

/// Raises an `error_rate` alert for a config whose calls mostly fail: over one window, at least
/// ``minimumCalls`` calls of which `threshold` or more threw (`QUILL_ALERT_ERROR_RATE`, per
/// `QUILL_ALERT_ERROR_RATE_WINDOW`). A few failures of a quiet plugin don't alert; a plugin failing every event does.
actor ErrorRateWatch: Service {
    /// Fewer calls in a window say too little to alert on.
    static let minimumCalls = 20

    private let runtime: PluginRuntime
    private let alerts: PluginAlerts
    private let threshold: Double
    private let window: Duration
    /// Each config's (calls, errors) at the last look.
    private var seen: [Int: (calls: Int, errors: Int)] = [:]

    init(runtime: PluginRuntime, alerts: PluginAlerts, threshold: Double, window: Duration) {
        self.runtime = runtime
        self.alerts = alerts
        self.threshold = threshold
        self.window = window
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.window) }
            await check()
        }
    }

    func check() async {
        for config in await runtime.usage() where config.isLoaded {
            let functions = config.statistics.functions.values
            let now = (calls: functions.reduce(0) { $0 + $1.calls }, errors: functions.reduce(0) { $0 + $1.errors })
            let before = seen[config.pluginConfigID] ?? (0, 0)
            seen[config.pluginConfigID] = now
            let calls = now.calls - before.calls
            let errors = now.errors - before.errors
            guard calls >= Self.minimumCalls, Double(errors) >= threshold * Double(calls) else { continue }
            let lastError = await runtime.lastError(pluginConfigID: config.pluginConfigID, teamID: config.teamID)
            let cause = lastError.map { "; the last: \($0.name): \($0.message)" } ?? ""
            await alerts.raise(
                .errorRate, pluginConfigID: config.pluginConfigID,
                error: "\(errors) of its \(calls) calls in the last \(window) failed\(cause)")
        }
    }
}
