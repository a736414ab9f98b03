public import Foundation
public import PluginRuntime
public import Storage
public import StorageRedis

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
    /// `--max-recording-body-size` / `QUILL_MAX_RECORDING_BODY_SIZE`: the same for `/s`, where posthog-js sends
    /// session recordings, so an operator can take larger recordings without taking larger event batches.
    /// Default 20 MiB, as PostHog's capture, which had one limit for both.
    public var maxRecordingBodySize: Int = 20 * 1024 * 1024
    /// `--max-backlog` / `QUILL_MAX_BACKLOG`: the most accepted events the durable log may hold waiting for
    /// their chain; past it capture answers 503 with `Retry-After`. Default 1,000,000.
    public var maxBacklog = 1_000_000
    /// `--drain-time` / `QUILL_DRAIN_TIME`: seconds shutdown keeps processing logged events. Default 10.
    public var drainTime: Duration = .seconds(10)
    /// `QUILL_FETCH_ALLOW`: addresses plugins' `fetch` may reach although they are loopback or private
    /// (hosts, IPs or CIDRs, comma separated). Default: none, only public addresses. Its body sizes
    /// are bounds (``boundSettings``).
    public var fetchPolicy = FetchPolicy()
    /// Bounds on what plugins produce, each with a flag and an environment variable (``boundSettings``).
    public var pluginLogLimits = PluginLogLimits()
    public var pluginCacheLimits = PluginCacheLimits()
    public var pluginStorageLimits = PluginStorageLimits()
    public var captureLimits = CaptureLimits()
    public var jobLimits = JobLimits()
    /// `QUILL_METRICS_TOKEN`: when set, `/metrics` answers only requests with `Authorization: Bearer
    /// <token>`. Default: none, `/metrics` is open (keep it on a private network).
    public var metricsToken: String?
    /// `QUILL_SMTP_URL`: the relay alert emails go through, `smtp://host[:port]`. Default: none, no emails.
    public var smtpURL: String?
    /// `QUILL_EMAIL_FROM`: the sender of alert emails. Default `quill@localhost`.
    public var emailFrom = "quill@localhost"
    /// `QUILL_ALERT_ERROR_RATE`: the share of a config's calls that, failing within one window, sends an
    /// `error_rate` alert. Default 0.5.
    public var alertErrorRate = 0.5
    /// `QUILL_ALERT_ERROR_RATE_WINDOW`: that window. Default 60 seconds.
    public var alertErrorRateWindow: Duration = .seconds(60)
    /// `QUILL_SITE_URL`: where people reach Quill's web UI, for the links in alerts. Default: the address it listens on.
    public var siteURL: String?
    /// `QUILL_DATABASE_URL`: `postgres://user[:password]@host[:port]/database[?sslmode=…]` keeps everything in that
    /// PostgreSQL database, shared by every instance pointed at it. Default: none, the SQLite file in the data folder.
    public var postgresURL: String?
    /// `QUILL_REDIS_URL`: `redis://[[user]:password@]host[:port][/database]` keeps `meta.cache` in that Redis,
    /// shared by every instance pointed at it. Default: none, the cache is in this process's memory.
    public var redisEndpoint: RedisEndpoint?
    /// `QUILL_SECRET_KEY`: the 32-byte key that encrypts plugins' secret config values, given in
    /// base64. Default: none, the key in the data folder's `secret.key` (made on first start).
    public var secretKey: Data?
    /// `QUILL_GEOIP_DATABASE`: a MaxMind City `.mmdb` file for `meta.geoip.locate`. Default: none.
    public var geoipDatabasePath: String?
    /// `QUILL_PLUGIN_FOLDERS`: the server folders the management API may install plugins from
    /// (absolute paths, colon or comma separated). Default: none, so `file:` installs are refused.
    public var pluginFolders = AllowedPluginFolders()
    /// `QUILL_PLUGIN_CATALOGUE`: a JSON file of plugins for the web UI's catalogue, extending (or, with
    /// `"replace": true`, replacing) the one shipped with Quill. Default: none, the shipped catalogue.
    public var pluginCataloguePath: String?
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
        if let size = try value("QUILL_MAX_RECORDING_BODY_SIZE", { Int($0).flatMap { $0 > 0 ? $0 : nil } }) {
            maxRecordingBodySize = size
        }
        if let events = try value("QUILL_MAX_BACKLOG", { Int($0).flatMap { $0 > 0 ? $0 : nil } }) { maxBacklog = events }
        if let seconds = try value("QUILL_DRAIN_TIME", Self.positiveSeconds) { drainTime = seconds }
        repositories = PluginRepositorySettings(environment: environment)
        if let allow = environment["QUILL_FETCH_ALLOW"], !allow.isEmpty {
            do {
                fetchPolicy = try FetchPolicy(environmentValue: allow)
            } catch {
                throw ConfigurationError(description: "QUILL_FETCH_ALLOW: \(error)")
            }
        }
        for setting in Self.boundSettings {
            if let text = environment[setting.environment], !text.isEmpty {
                try set(setting, to: text, from: setting.environment)
            }
        }
        if let folders = environment[AllowedPluginFolders.environmentVariable], !folders.isEmpty {
            pluginFolders = try AllowedPluginFolders(environmentValue: folders)
        }
        metricsToken = try value("QUILL_METRICS_TOKEN", { $0 })
        smtpURL = try value("QUILL_SMTP_URL", { SMTPClient(url: $0) == nil ? nil : $0 })
        if let sender = try value("QUILL_EMAIL_FROM", { $0.contains("@") && !$0.contains(where: \.isNewline) ? $0 : nil }) {
            emailFrom = sender
        }
        if let rate = try value("QUILL_ALERT_ERROR_RATE", { Double($0).flatMap { $0 > 0 && $0 <= 1 ? $0 : nil } }) {
            alertErrorRate = rate
        }
        if let window = try value("QUILL_ALERT_ERROR_RATE_WINDOW", Self.positiveSeconds) { alertErrorRateWindow = window }
        siteURL = try value("QUILL_SITE_URL", { URL(string: $0)?.host != nil ? $0.trimmingSuffix("/") : nil })
        postgresURL = try value("QUILL_DATABASE_URL", Self.postgresURL)
        if let url = environment["QUILL_REDIS_URL"], !url.isEmpty {
            do {
                redisEndpoint = try RedisEndpoint(url: url)
            } catch {
                throw ConfigurationError(description: "QUILL_REDIS_URL: \(error)")
            }
        }
        pluginCataloguePath = try value(PluginCatalogue.environmentVariable, { $0 })
        if let key = environment["QUILL_SECRET_KEY"], !key.isEmpty { secretKey = try ConfigSecrets.key(environmentValue: key) }
        geoipDatabasePath = try value("QUILL_GEOIP_DATABASE", { $0 })
        initialProjectAPIKey = try value("QUILL_PROJECT_API_KEY", { $0 })
        initialPersonalAPIKey = try value("QUILL_PERSONAL_API_KEY", { $0 })
    }

    /// One bound on what plugins produce: its `quill serve` flag, environment variable and default.
    public struct BoundSetting {
        /// The flag without its dashes: `plugin-log-burst`.
        public let flag: String
        public let environment: String
        /// What it bounds, with its unit and default, for `--help`.
        public let help: String
        let keyPath: WritableKeyPath<ServerConfiguration, Int>
    }

    /// Every bound on plugin output: console lines, log entries, fetch bodies, cache, storage, capture, jobs.
    public static var boundSettings: [BoundSetting] {
        [
            BoundSetting(
                flag: "plugin-log-burst", environment: "QUILL_PLUGIN_LOG_BURST",
                help: "Console lines a plugin config may write at once before the rate applies. Default 1000.",
                keyPath: \.pluginLogLimits.burst),
            BoundSetting(
                flag: "plugin-log-rate", environment: "QUILL_PLUGIN_LOG_RATE",
                help: "Console lines a second a plugin config may write after its burst; more are dropped. Default 100.",
                keyPath: \.pluginLogLimits.linesPerSecond),
            BoundSetting(
                flag: "plugin-log-line-length", environment: "QUILL_PLUGIN_LOG_LINE_LENGTH",
                help: "Characters of one log line; longer ones are cut. Default 16384.",
                keyPath: \.pluginLogLimits.maximumLineLength),
            BoundSetting(
                flag: "plugin-log-entries", environment: "QUILL_PLUGIN_LOG_ENTRIES",
                help: "Log entries kept per plugin config; older ones are pruned. Default 10000.",
                keyPath: \.pluginLogLimits.entriesPerConfig),
            BoundSetting(
                flag: "fetch-max-response-bytes", environment: "QUILL_FETCH_MAX_RESPONSE_BYTES",
                help: "Largest response body a plugin's fetch reads. Default 10 MiB.",
                keyPath: \.fetchPolicy.maximumResponseSize),
            BoundSetting(
                flag: "fetch-max-request-bytes", environment: "QUILL_FETCH_MAX_REQUEST_BYTES",
                help: "Largest request body a plugin's fetch sends. Default 10 MiB.",
                keyPath: \.fetchPolicy.maximumRequestSize),
            BoundSetting(
                flag: "cache-max-key-bytes", environment: "QUILL_CACHE_MAX_KEY_BYTES",
                help: "Longest meta.cache key in bytes. Default 1024.", keyPath: \.pluginCacheLimits.maximumKeyBytes),
            BoundSetting(
                flag: "cache-max-value-bytes", environment: "QUILL_CACHE_MAX_VALUE_BYTES",
                help: "Largest meta.cache value or list element in bytes. Default 1 MiB.",
                keyPath: \.pluginCacheLimits.maximumValueBytes),
            BoundSetting(
                flag: "cache-max-keys", environment: "QUILL_CACHE_MAX_KEYS",
                help: "meta.cache keys per plugin and team. Default 10000.", keyPath: \.pluginCacheLimits.maximumKeysPerNamespace),
            BoundSetting(
                flag: "cache-max-list-length", environment: "QUILL_CACHE_MAX_LIST_LENGTH",
                help: "Elements of one meta.cache list. Default 10000.", keyPath: \.pluginCacheLimits.maximumListLength),
            BoundSetting(
                flag: "cache-max-bytes", environment: "QUILL_CACHE_MAX_BYTES",
                help: "Bytes of meta.cache keys and values per plugin and team. Default 64 MiB.",
                keyPath: \.pluginCacheLimits.maximumNamespaceBytes),
            BoundSetting(
                flag: "storage-max-key-bytes", environment: "QUILL_STORAGE_MAX_KEY_BYTES",
                help: "Longest meta.storage key in bytes. Default 1024.", keyPath: \.pluginStorageLimits.maximumKeyBytes),
            BoundSetting(
                flag: "storage-max-value-bytes", environment: "QUILL_STORAGE_MAX_VALUE_BYTES",
                help: "Largest meta.storage value in bytes of JSON. Default 1 MiB.",
                keyPath: \.pluginStorageLimits.maximumValueBytes),
            BoundSetting(
                flag: "storage-max-keys", environment: "QUILL_STORAGE_MAX_KEYS",
                help: "meta.storage keys (and cursors) per plugin config. Default 10000.",
                keyPath: \.pluginStorageLimits.maximumKeysPerConfig),
            BoundSetting(
                flag: "capture-burst", environment: "QUILL_CAPTURE_BURST",
                help: "Events a plugin config may posthog.capture at once before the rate applies. Default 1000.",
                keyPath: \.captureLimits.burst),
            BoundSetting(
                flag: "capture-rate", environment: "QUILL_CAPTURE_RATE",
                help: "Events a second a plugin config may posthog.capture after its burst. Default 100.",
                keyPath: \.captureLimits.perSecond),
            BoundSetting(
                flag: "capture-max-event-bytes", environment: "QUILL_CAPTURE_MAX_EVENT_BYTES",
                help: "Largest posthog.capture event (name and properties as JSON) in bytes. Default 1 MiB.",
                keyPath: \.captureLimits.maximumEventBytes),
            BoundSetting(
                flag: "jobs-max-queued", environment: "QUILL_JOBS_MAX_QUEUED",
                help: "Jobs a plugin config may have waiting or running. Default 10000.",
                keyPath: \.jobLimits.maximumQueuedPerConfig),
            BoundSetting(
                flag: "job-max-payload-bytes", environment: "QUILL_JOB_MAX_PAYLOAD_BYTES",
                help: "Largest job (name and payload as JSON) in bytes. Default 1 MiB.", keyPath: \.jobLimits.maximumPayloadBytes),
        ]
    }

    /// Sets a bound from its flag's or variable's text (`source` names it in the error): a whole number from 1.
    public mutating func set(_ setting: BoundSetting, to text: String, from source: String) throws {
        guard let value = Int(text), value >= 1 else {
            throw ConfigurationError(description: "\(source)='\(text)' is not valid: it must be a whole number from 1")
        }
        self[keyPath: setting.keyPath] = value
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

    /// A `postgres://` or `postgresql://` URL naming a host; the rest is checked when connecting.
    public static func postgresURL(_ text: String) -> String? {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql",
            url.host?.isEmpty == false
        else { return nil }
        return text
    }

    /// The SQLite file under the data directory.
    public var databaseURL: URL { dataDirectory.appending(path: "quill.sqlite") }
}

public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
