import Foundation
import Logging
import ServiceLifecycle
import Storage

/// On storage other instances share, applies the plugin config changes they make: each changed config is reloaded
/// here within a poll interval, as the instance that made the change reloaded it at once.
struct PluginConfigSync: Service {
    let store: any PluginStore
    let reloader: PluginReloader
    let logger: Logger
    /// Returns once this instance has loaded the enabled configs: changes are applied on top of them.
    let ready: @Sendable () async -> Void
    var interval: Duration = .milliseconds(250)

    func run() async throws {
        await ready()
        // Changes stay listed 30 seconds; those seen are remembered longer, so none is applied twice.
        var seen: [Int64: ContinuousClock.Instant] = [:]
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let now = ContinuousClock.now
                var reloaded = Set<Int>()
                for change in try await store.recentConfigChangesByOtherInstances() where seen[change.id] == nil {
                    seen[change.id] = now
                    if reloaded.insert(change.pluginConfigID).inserted {
                        await reloader.reload(pluginConfigID: change.pluginConfigID, teamID: change.teamID)
                    }
                }
                seen = seen.filter { now - $0.value < .seconds(120) }
            } catch {
                logger.warning("Could not read the plugin config changes of other instances", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
