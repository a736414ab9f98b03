import ArgumentParser
import PluginServer

/// `quill serve`'s flags for the bounds on plugin output (``ServerConfiguration/boundSettings``); each
/// also has its environment variable, named in the help.
struct BoundOptions: ParsableArguments {
    @Option(help: boundHelp("plugin-log-burst")) var pluginLogBurst: String?
    @Option(help: boundHelp("plugin-log-rate")) var pluginLogRate: String?
    @Option(help: boundHelp("plugin-log-line-length")) var pluginLogLineLength: String?
    @Option(help: boundHelp("plugin-log-entries")) var pluginLogEntries: String?
    @Option(help: boundHelp("fetch-max-response-bytes")) var fetchMaxResponseBytes: String?
    @Option(help: boundHelp("fetch-max-request-bytes")) var fetchMaxRequestBytes: String?
    @Option(help: boundHelp("cache-max-key-bytes")) var cacheMaxKeyBytes: String?
    @Option(help: boundHelp("cache-max-value-bytes")) var cacheMaxValueBytes: String?
    @Option(help: boundHelp("cache-max-keys")) var cacheMaxKeys: String?
    @Option(help: boundHelp("cache-max-list-length")) var cacheMaxListLength: String?
    @Option(help: boundHelp("cache-max-bytes")) var cacheMaxBytes: String?
    @Option(help: boundHelp("storage-max-key-bytes")) var storageMaxKeyBytes: String?
    @Option(help: boundHelp("storage-max-value-bytes")) var storageMaxValueBytes: String?
    @Option(help: boundHelp("storage-max-keys")) var storageMaxKeys: String?
    @Option(help: boundHelp("capture-burst")) var captureBurst: String?
    @Option(help: boundHelp("capture-rate")) var captureRate: String?
    @Option(help: boundHelp("capture-max-event-bytes")) var captureMaxEventBytes: String?
    @Option(help: boundHelp("jobs-max-queued")) var jobsMaxQueued: String?
    @Option(help: boundHelp("job-max-payload-bytes")) var jobMaxPayloadBytes: String?

    /// The flags given, by name.
    private var given: [String: String?] {
        [
            "plugin-log-burst": pluginLogBurst, "plugin-log-rate": pluginLogRate, "plugin-log-line-length": pluginLogLineLength,
            "plugin-log-entries": pluginLogEntries, "fetch-max-response-bytes": fetchMaxResponseBytes,
            "fetch-max-request-bytes": fetchMaxRequestBytes, "cache-max-key-bytes": cacheMaxKeyBytes,
            "cache-max-value-bytes": cacheMaxValueBytes, "cache-max-keys": cacheMaxKeys,
            "cache-max-list-length": cacheMaxListLength, "cache-max-bytes": cacheMaxBytes,
            "storage-max-key-bytes": storageMaxKeyBytes, "storage-max-value-bytes": storageMaxValueBytes,
            "storage-max-keys": storageMaxKeys, "capture-burst": captureBurst, "capture-rate": captureRate,
            "capture-max-event-bytes": captureMaxEventBytes, "jobs-max-queued": jobsMaxQueued,
            "job-max-payload-bytes": jobMaxPayloadBytes,
        ]
    }

    /// Sets the bounds given as flags, over their environment variables.
    func apply(to configuration: inout ServerConfiguration) throws {
        for setting in ServerConfiguration.boundSettings {
            guard let text = given[setting.flag] ?? nil else { continue }
            do {
                try configuration.set(setting, to: text, from: "--\(setting.flag)")
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }
}

/// A bound's help text with its environment variable.
private func boundHelp(_ flag: String) -> ArgumentHelp {
    let setting = ServerConfiguration.boundSettings.first { $0.flag == flag }
    return ArgumentHelp("\(setting?.help ?? "") (\(setting?.environment ?? ""))")
}
