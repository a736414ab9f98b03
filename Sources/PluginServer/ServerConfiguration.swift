public import Foundation
public import PluginRuntime

/// Settings of `quill serve`. Each has a flag and an environment variable; flags win.
public struct ServerConfiguration: Sendable {
    /// `--host` / `QUILL_HOST`: the address to listen on. Default `127.0.0.1`; `0.0.0.0` for all interfaces.
    public var host: String = "127.0.0.1"
    /// `--port` / `QUILL_PORT`: default 8000; 0 picks a free port (printed at start).
    public var port: Int = 8000
    /// `--data-dir` / `QUILL_DATA_DIR`: where the SQLite database lives. Default `./data`.
    public var dataDirectory: URL = URL(fileURLWithPath: "data")
    /// `--plugin-time-limit` / `QUILL_PLUGIN_TIME_LIMIT`: seconds one plugin call may take. Default 30.
    public var pluginTimeLimit: Duration = .seconds(30)
    /// `--plugin-memory-limit` / `QUILL_PLUGIN_MEMORY_LIMIT`: MiB of memory one plugin call may bring in
    /// before it is stopped and its VM thrown away; 0 for no limit. Default 128.
    public var pluginMemoryLimit: Int? = 128 * 1_048_576
    /// `QUILL_PLUGIN_MAX_EVENT_SIZE`: the largest event (bytes of JSON) a plugin's `processEvent` may return.
    /// Default 4 MiB.
    public var pluginMaximumEventSize = 4 * 1_048_576
    /// `--plugin-workers` / `QUILL_PLUGIN_WORKERS`: script threads. Default: one per core.
    public var pluginWorkers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// `--max-body-size` / `QUILL_MAX_BODY_SIZE`: largest capture request body in bytes, after
    /// decompression too. Default 20 MiB, as PostHog's capture.
    public var maxBodySize: Int = 20 * 1024 * 1024
    /// `--drain-time` / `QUILL_DRAIN_TIME`: seconds shutdown keeps processing logged events. Default 10.
    public var drainTime: Duration = .seconds(10)
    /// `QUILL_FETCH_ALLOW`: addresses plugins' `fetch` may reach although they are loopback or private
    /// (hosts, IPs or CIDRs, comma separated). Default: none, only public addresses.
    public var fetchPolicy = FetchPolicy()
    /// `QUILL_METRICS_TOKEN`: when set, `/metrics` answers only requests with `Authorization: Bearer
    /// <token>`. Default: none, `/metrics` is open (keep it on a private network).
    public var metricsToken: String?
    /// `QUILL_SECRET_KEY`: the 32-byte key that encrypts plugins' secret config values, given in
    /// base64. Default: none, the key in the data folder's `secret.key` (made on first start).
    public var secretKey: Data?
    /// `QUILL_GEOIP_DATABASE`: a MaxMind City `.mmdb` file for `meta.geoip.locate`. Default: none.
    public var geoipDatabasePath: String?
    /// `QUILL_PLUGIN_FOLDERS`: the server folders the management API may install plugins from
    /// (absolute paths, colon or comma separated). Default: none, so `file:` installs are refused.
    public var pluginFolders = AllowedPluginFolders()
    /// Where plugins installed from a URL come from (`QUILL_GITHUB_URL`, `QUILL_GITLAB_URL`, …).
    public var repositories = PluginRepositorySettings()
    /// `QUILL_PROJECT_API_KEY`: the default project's token on first start, instead of a generated one.
    public var initialProjectAPIKey: String?
    /// `QUILL_PERSONAL_API_KEY`: the first personal API key on first start, instead of a generated one.
    public var initialPersonalAPIKey: String?

    public init() {}

    /// The settings from `QUILL_*` environment variables, defaults elsewhere.
    public init(environment: [String: String]) throws {
        func value<T>(_ name: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = parse(text) else { throw ConfigurationError(description: "\(name)='\(text)' is not valid") }
            return value
        }
        if let host = try value("QUILL_HOST", { $0 }) { self.host = host }
        if let port = try value("QUILL_PORT", { Int($0).flatMap { (0...65535).contains($0) ? $0 : nil } }) { self.port = port }
        if let directory = try value("QUILL_DATA_DIR", { $0 }) { dataDirectory = URL(fileURLWithPath: directory) }
        if let seconds = try value("QUILL_PLUGIN_TIME_LIMIT", Self.positiveSeconds) { pluginTimeLimit = seconds }
        if let workers = try value("QUILL_PLUGIN_WORKERS", { Int($0).flatMap { $0 > 0 ? $0 : nil } }) { pluginWorkers = workers }
        if let megabytes = try value("QUILL_PLUGIN_MEMORY_LIMIT", Self.memoryLimit) { pluginMemoryLimit = megabytes }
        if let size = try value("QUILL_PLUGIN_MAX_EVENT_SIZE", { Int($0).flatMap { $0 >= 1_024 ? $0 : nil } }) {
            pluginMaximumEventSize = size
        }
        if let size = try value("QUILL_MAX_BODY_SIZE", { Int($0).flatMap { $0 > 0 ? $0 : nil } }) { maxBodySize = size }
        if let seconds = try value("QUILL_DRAIN_TIME", Self.positiveSeconds) { drainTime = seconds }
        repositories = PluginRepositorySettings(environment: environment)
        if let allow = environment["QUILL_FETCH_ALLOW"], !allow.isEmpty {
            do {
                fetchPolicy = try FetchPolicy(environmentValue: allow)
            } catch {
                throw ConfigurationError(description: "QUILL_FETCH_ALLOW: \(error)")
            }
        }
        if let folders = environment[AllowedPluginFolders.environmentVariable], !folders.isEmpty {
            pluginFolders = try AllowedPluginFolders(environmentValue: folders)
        }
        metricsToken = try value("QUILL_METRICS_TOKEN", { $0 })
        if let key = environment["QUILL_SECRET_KEY"], !key.isEmpty { secretKey = try ConfigSecrets.key(environmentValue: key) }
        geoipDatabasePath = try value("QUILL_GEOIP_DATABASE", { $0 })
        initialProjectAPIKey = try value("QUILL_PROJECT_API_KEY", { $0 })
        initialPersonalAPIKey = try value("QUILL_PERSONAL_API_KEY", { $0 })
    }

    /// A number of MiB, 0 (no limit) or from 8 to 1,048,576 (1 TiB); the limit in bytes, `nil` for none.
    public static func memoryLimit(_ text: String) -> Int?? {
        guard let megabytes = Int(text), megabytes == 0 || (8...1_048_576).contains(megabytes) else { return nil }
        return .some(megabytes == 0 ? nil : megabytes * 1_048_576)
    }

    /// A number of seconds (fractions allowed), more than zero.
    public static func positiveSeconds(_ text: String) -> Duration? {
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The SQLite file under the data directory.
    public var databaseURL: URL { dataDirectory.appending(path: "quill.sqlite") }
}

public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
