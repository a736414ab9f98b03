import ServiceLifecycle
import StorageSQLite

/// Writes buffered plugin log entries to the database every half second, and once more at shutdown.
struct PluginLogFlushService: Service {
    let store: SQLitePluginLogStore

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            try? await store.flush()
        }
        try await store.flush()
    }
}
