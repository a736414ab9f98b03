import ServiceLifecycle
import Storage

/// Writes buffered plugin log entries to the database every half second, and once more at shutdown,
/// with the console limiter's due warnings of dropped lines.
struct PluginLogFlushService: Service {
    let store: any PluginLogStore
    let consoleLimiter: PluginConsoleLimiter

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            consoleLimiter.reportDrops()
            try? await store.flush()
        }
        consoleLimiter.reportDrops()
        try await store.flush()
    }
}
