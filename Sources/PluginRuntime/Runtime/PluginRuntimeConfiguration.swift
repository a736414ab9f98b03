public import Foundation

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

    public init(
        workerCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        timeLimit: Duration = .seconds(30),
        setupRetryDelays: [Duration] = [5, 10, 20, 40, 80].map { .seconds($0) }
    ) {
        self.workerCount = max(1, workerCount)
        self.timeLimit = timeLimit
        self.setupRetryDelays = setupRetryDelays
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

/// The outcome of one event's run through its team's chain.
public struct ChainResult: Sendable, Equatable {
    /// The event as JSON after the chain; `nil` when a plugin dropped it.
    public var event: [UInt8]?
    /// The config that dropped the event, as `name (id)`.
    public var droppedBy: String?
    public var succeeded: [String] = []
    public var failed: [String] = []
    public var deferred: [String] = []

    public init(
        event: [UInt8]? = nil, droppedBy: String? = nil, succeeded: [String] = [], failed: [String] = [],
        deferred: [String] = []
    ) {
        self.event = event
        self.droppedBy = droppedBy
        self.succeeded = succeeded
        self.failed = failed
        self.deferred = deferred
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
