import PluginRuntime

extension PrometheusExposition {
    /// `quill_plugin_log_lines_dropped_total`: console lines over a config's rate, with the labels of
    /// the other per-config families (0 for configs that dropped none).
    mutating func writeDroppedLogLines(_ dropped: [Int: Int], configs: [PluginConfigUsage]) {
        family(
            "quill_plugin_log_lines_dropped_total", type: .counter,
            help: "Console lines dropped over the config's rate (QUILL_PLUGIN_LOG_BURST, QUILL_PLUGIN_LOG_RATE).",
            samples: configs.sorted { $0.pluginConfigID < $1.pluginConfigID }.map { config in
                (
                    [
                        "team_id": String(config.teamID), "plugin_config_id": String(config.pluginConfigID),
                        "plugin": config.pluginName,
                    ], Double(dropped[config.pluginConfigID] ?? 0)
                )
            })
    }
}
