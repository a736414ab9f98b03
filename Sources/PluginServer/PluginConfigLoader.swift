import Logging
import PluginRuntime
import Storage

/// Loads the enabled plugin configs from storage into the runtime, and records configs the runtime disables.
struct PluginConfigLoader: Sendable {
    let store: any PluginStore
    let runtime: PluginRuntime
    let logger: Logger

    func loadEnabledConfigs() async {
        let configs: [EnabledPluginConfig]
        do {
            configs = try await store.enabledPluginConfigs()
        } catch {
            logger.error("Could not read plugin configs; no plugins run", metadata: ["error": "\(error)"])
            return
        }
        for config in configs {
            let outcome = await runtime.load(Self.definition(of: config))
            logger.info(
                "Loaded plugin config",
                metadata: ["plugin_config.id": "\(config.id)", "plugin.name": "\(config.pluginName)", "outcome": "\(outcome)"])
        }
    }

    static func definition(of config: EnabledPluginConfig) -> PluginConfigDefinition {
        PluginConfigDefinition(
            id: config.id, teamID: config.teamID, pluginID: config.pluginID, pluginName: config.pluginName, order: config.order,
            config: config.config, attachments: config.attachments,
            code: CompiledPlugin(code: config.transpiledCode))
    }
}
