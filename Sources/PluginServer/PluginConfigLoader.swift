import Foundation
import Logging
import PluginRuntime
import Storage

/// Loads the enabled plugin configs from storage into the runtime, and records configs the runtime disables.
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
            let outcome = await runtime.load(definition)
            logger.info(
                "Loaded plugin config",
                metadata: ["plugin_config.id": "\(config.id)", "plugin.name": "\(config.pluginName)", "outcome": "\(outcome)"])
        }
    }

    /// What the runtime runs; its `meta.config` is the one place sealed secrets are opened.
    static func definition(of config: PluginConfigDefinition, secrets: ConfigSecrets) throws(SecretOpeningError) -> PluginConfigDefinition {
        var opened = config
        opened.config = try secrets.opened(config)
        return opened
    }
}
