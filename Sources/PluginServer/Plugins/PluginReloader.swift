import Logging
import PluginRuntime
import Storage

/// Applies stored plugin changes to the running runtime without a restart (reference §1.7).
///
/// A changed config gets a new VM, which serves once its `setupPlugin` is done; the old VM keeps
/// serving until then and is torn down after, so no event is lost or processed twice. Reloads run
/// one at a time, in the order the changes were made.
actor PluginReloader {
    private let store: any PluginStore
    private let runtime: PluginRuntime
    private let secrets: ConfigSecrets
    private let logger: Logger
    /// Runs after each config's reload: its export buffer is flushed on a config change.
    private let afterReload: @Sendable (Int) async -> Void

    init(
        store: any PluginStore, runtime: PluginRuntime, secrets: ConfigSecrets, logger: Logger,
        afterReload: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.store = store
        self.runtime = runtime
        self.secrets = secrets
        self.logger = logger
        self.afterReload = afterReload
    }

    /// Loads the config as stored, or unloads it when it is disabled or gone.
    func reload(pluginConfigID: Int, teamID: Int) async {
        do {
            if let config = try await store.enabledPluginConfig(id: pluginConfigID) {
                let definition = try PluginConfigLoader.definition(of: config, secrets: secrets)
                // Recorded here too (the runtime's status callback writes it in the background), so the answer to the
                // change that loaded it already says the config is disabled.
                if case .disabled(let reason) = await runtime.load(definition) {
                    try await store.disablePluginConfig(id: pluginConfigID, errorMessage: reason)
                }
            } else {
                await runtime.unload(pluginConfigID: pluginConfigID, teamID: teamID)
            }
        } catch {
            logger.error("Could not reload a plugin config", metadata: ["plugin_config.id": "\(pluginConfigID)", "error": "\(error)"])
        }
        await afterReload(pluginConfigID)
    }

    /// Reloads every config of a plugin whose code changed.
    func reloadConfigs(ofPlugin pluginID: Int) async {
        guard let configs = try? await store.pluginConfigs(pluginID: pluginID) else { return }
        for config in configs {
            await reload(pluginConfigID: config.id, teamID: config.teamID)
        }
    }
}
