public import Foundation
public import Storage

/// Settings of the plugin runtime, with PostHog's defaults.
public struct PluginRuntimeConfiguration: Sendable {
    /// Script threads; each runs the plugin chains of the teams assigned to it. Default: one per core.
    public var workerCount: Int
    /// The longest one call of a plugin function may take, synchronous work and awaited promises
    /// alike. Default 30 s, as PostHog's `TASK_TIMEOUT`.
    public var timeLimit: Duration
    /// The waits before each retry of a `setupPlugin` that threw `RetryError`; when they run out the
    /// config is disabled. Default 5, 10, 20, 40, 80 s (DESIGN.md).
    public var setupRetryDelays: [Duration]
    /// The most memory one plugin call may bring in (JavaScript heap and what its objects own), in bytes;
    /// `nil` for no limit. A call past it is stopped and its VM thrown away. Default 128 MiB.
    public var memoryLimit: Int?
    /// How many calls past the memory limit within `memoryBreachWindow` disable the config. Default 3 in an hour.
    public var memoryBreachesBeforeDisabling = 3
    public var memoryBreachWindow: Duration = .seconds(3_600)
    /// The largest event a `processEvent` may return, as JSON; a larger one fails the plugin as a throw
    /// does. Default 4 MiB.
    public var maximumEventSize = 4 * 1_048_576
    /// When a `processEvent` that runs out of time pauses its config (events pass it as failed meanwhile).
    public var processEventBreaker = TimeOutBreakers.Settings()
    /// A VM that has run nothing for this long is torn down, and made again when next needed; `nil` keeps
    /// VMs for as long as their config is loaded. Default 15 minutes.
    public var idleTimeout: Duration? = .seconds(900)
    /// A script thread running one entry into JavaScript for longer than this is passed over for new
    /// work while another is free. Default 50 ms.
    public var busyThreshold: Duration = .milliseconds(50)
    /// How many lanes of events one script thread takes at once (they interleave where plugins await).
    /// Default 2.
    public var lanesPerThread = 2

    public init(
        workerCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        timeLimit: Duration = .seconds(30),
        setupRetryDelays: [Duration] = [5, 10, 20, 40, 80].map { .seconds($0) },
        memoryLimit: Int? = 128 * 1_048_576
    ) {
        self.workerCount = max(1, workerCount)
        self.timeLimit = timeLimit
        self.setupRetryDelays = setupRetryDelays
        self.memoryLimit = memoryLimit
    }
}

/// What happened to a plugin config that its owner (the server, the CLI) must act on.
public enum PluginConfigStatusChange: Sendable, Equatable {
    /// The config was disabled: its code failed to load, or `setupPlugin` failed for good.
    case disabled(pluginConfigID: Int, reason: String)
}

/// The outcome of loading a plugin config.
public enum PluginLoadOutcome: Sendable, Equatable {
    /// Loaded, with `setupPlugin` done (or not needed).
    case ready(PluginCapabilities)
    /// Loaded; `setupPlugin` threw `RetryError` and will be retried in the background.
    case retryingSetup(PluginCapabilities)
    /// Not loaded: the code failed or `setupPlugin` failed; the config is disabled.
    case disabled(reason: String)
}

/// A config's export buffer: `exportEventsBufferBytes`, `exportEventsBufferSeconds` (DESIGN.md).
public struct ExportBufferSettings: Sendable, Equatable {
    /// Default 1 MiB, within 1 B–100 MiB.
    public var bytes: Int
    /// Default 10 s, within 1–600 s.
    public var seconds: Int

    /// The settings of a config that sets neither key.
    public static let defaults = ExportBufferSettings(config: [:])

    init(config: [String: String]) {
        bytes = min(max(config["exportEventsBufferBytes"].flatMap { Int($0) } ?? 1_048_576, 1), 104_857_600)
        seconds = min(max(config["exportEventsBufferSeconds"].flatMap { Int($0) } ?? 10, 1), 600)
    }
}

/// How politely Quill delivers a config's webhooks: set in its config, or as defaults of its `plugin.json`
/// config fields, `deliveryConcurrency` and `deliveryRequestsPerSecond`.
public struct DeliverySettings: Sendable, Equatable {
    /// Webhooks of the config in flight at once; `nil` leaves it to the work queue's per-config limit.
    /// Within 1–100.
    public var concurrency: Int?
    /// Webhooks of the config sent per second at most; `nil` for no limit. Within 0.001–10 000.
    public var requestsPerSecond: Double?

    /// The settings of a config that sets neither key.
    public static let defaults = DeliverySettings(config: [:])

    public init(config: [String: String]) {
        concurrency = config["deliveryConcurrency"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { min(max($0, 1), 100) }
        requestsPerSecond = config["deliveryRequestsPerSecond"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            .flatMap { $0.isFinite && $0 > 0 ? min(max($0, 0.001), 10_000) : nil }
    }
}

/// Plugin code that fails when it is evaluated: a top-level throw, an unsupported metric type.
public struct PluginCodeError: Error, Sendable, CustomStringConvertible {
    /// `Name: message`.
    public var description: String
    public var stack: String?
}

/// An event the chain can't run on: not a JSON object.
public struct MalformedEventError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
