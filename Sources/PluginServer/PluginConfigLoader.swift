import Foundation
import Logging
import PluginRuntime
import Storage

/// Registers the enabled plugin configs from storage with the runtime at start, and records configs the
/// runtime disables. Registering runs no code: a config's VM is made (and its `setupPlugin` run) when a
/// script thread first needs it, so a server with 10,000 configs is ready in seconds with little memory.
struct PluginConfigLoader: Sendable {
    let store: any PluginStore
    let runtime: PluginRuntime
    let secrets: ConfigSecrets
    /// Where a config that can't be loaded says why, for its owner to read.
    let logs: any PluginLogSink
    let logger: Logger

    func loadEnabledConfigs() async {
        let configs: [PluginConfigDefinition]
        do {
            configs = try await store.enabledPluginConfigs()
        } catch {
            logger.error("Could not read plugin configs; no plugins run", metadata: ["error": "\(error)"])
            return
        }
        for config in configs {
            let definition: PluginConfigDefinition
            do {
                definition = try Self.definition(of: config, secrets: secrets)
            } catch {
                logger.error("\(error)", metadata: ["plugin_config.id": "\(config.id)"])
                logs.append(
                    PluginLogEntry(
                        teamID: config.teamID, pluginID: config.pluginID, pluginConfigID: config.id, source: .system, type: .error,
                        message: "\(error)", instanceID: UUID()))
                continue
            }
            let outcome = await runtime.register(definition)
            logger.debug(
                "Registered plugin config",
                metadata: ["plugin_config.id": "\(config.id)", "plugin.name": "\(config.pluginName)", "outcome": "\(outcome)"])
        }
        logger.info("Registered the enabled plugin configs; each is set up when first needed", metadata: ["count": "\(configs.count)"])
    }

    /// What the runtime runs; its `meta.config` is the one place sealed secrets are opened.
    static func definition(of config: PluginConfigDefinition, secrets: ConfigSecrets) throws(SecretOpeningError) -> PluginConfigDefinition {
        var opened = config
        opened.config = try secrets.opened(config)
        return opened
    }
}
