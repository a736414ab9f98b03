import JavaScriptEngine
public import Storage
import Synchronization

/// Runs plugin configs: loads them into VMs, runs each team's chain, tears them down.
///
/// Teams are spread over workers (one script thread each); all configs of a team share a worker,
/// so its chain hands one JavaScript event object from plugin to plugin.
public final class PluginRuntime: Sendable {
    private let workers: [PluginWorker]
    /// The usage at shutdown, after every teardown: the script threads are gone from then on.
    private let usageAtShutdown = FinalValue<[PluginConfigUsage]>()
    /// Calls from other services (the management API, the work queue, metrics) may arrive while the runtime
    /// stops, as when the server is cancelled: a call that reached a stopped script thread would wait forever.
    private let calls = CallGate()

    /// - Parameters:
    ///   - configuration: Time limits, retry waits and the number of script threads.
    ///   - services: Cache, storage and logs for the plugins.
    ///   - clock: The clock `setupPlugin` retries wait on; tests pass one they control.
    ///   - onStatusChange: Told when a config gets disabled, so its owner can record it.
    public init(
        configuration: PluginRuntimeConfiguration = PluginRuntimeConfiguration(),
        services: PluginHostServices,
        clock: any Clock<Duration> = ContinuousClock(),
        onStatusChange: @escaping @Sendable (PluginConfigStatusChange) -> Void = { _ in }
    ) {
        workers = (0..<configuration.workerCount).map { index in
            PluginWorker(
                name: "quill-plugins-\(index)", configuration: configuration, services: services, clock: clock,
                onStatusChange: onStatusChange)
        }
    }

    /// The module names plugins may import: what the compiler leaves to the runtime's `require`.
    /// Node's own modules may be imported as `node:NAME` too.
    public static let providedModules: Set<String> = Set(BuiltinModules.all.keys).union(
        BuiltinModules.all.keys.filter { !$0.hasPrefix("@") && !$0.hasPrefix("quill:") }.map { "node:" + $0 })

    private func worker(forTeam teamID: Int) -> PluginWorker {
        workers[Int(UInt(bitPattern: teamID) % UInt(workers.count))]
    }

    /// Loads a config, or reloads it with new code or settings, and runs its `setupPlugin`.
    public func load(_ definition: PluginConfigDefinition) async -> PluginLoadOutcome {
        await calls.run { await worker(forTeam: definition.teamID).load(definition) } ?? .disabled(reason: Self.stopped)
    }

    /// Runs the config's `teardownPlugin` and removes it from its team's chain.
    public func unload(pluginConfigID: Int, teamID: Int) async {
        await calls.run { await worker(forTeam: teamID).unload(pluginConfigID: pluginConfigID) }
    }

    /// Runs the team's `processEvent` chain on one event given as JSON.
    ///
    /// - Parameter recordingPluginLists: Whether to add `$plugins_succeeded`, `$plugins_failed` and
    ///   `$plugins_deferred` to the event's properties, as ingestion does.
    public func processEvent(
        _ event: [UInt8], teamID: Int, recordingPluginLists: Bool = true
    ) async throws(MalformedEventError) -> ChainResult {
        try await worker(forTeam: teamID).processEvent(event, teamID: teamID, recordingPluginLists: recordingPluginLists)
    }

    /// Runs the team's chain on each event in turn, as ``processEvent(_:teamID:recordingPluginLists:)`` does;
    /// the events go to the script thread and back once, not once each.
    public func processEvents(
        _ events: [[UInt8]], teamID: Int, recordingPluginLists: Bool = true
    ) async -> [Result<ChainResult, MalformedEventError>] {
        await worker(forTeam: teamID).processEvents(events, teamID: teamID, recordingPluginLists: recordingPluginLists)
    }

    /// Loads `code` into a throwaway VM (no `setupPlugin`) to check it runs and see what it exports.
    public func inspect(_ code: CompiledPlugin, pluginName: String) async -> Result<PluginCapabilities, PluginCodeError> {
        await calls.run {
            await workers[0].inspect(code, pluginName: pluginName)
        } ?? .failure(PluginCodeError(description: Self.stopped))
    }

    public func capabilities(pluginConfigID: Int, teamID: Int) async -> PluginCapabilities? {
        await calls.run { await worker(forTeam: teamID).capabilities(pluginConfigID: pluginConfigID) } ?? nil
    }

    /// Whether the config is loaded with its `setupPlugin` done.
    public func isReady(pluginConfigID: Int, teamID: Int) async -> Bool {
        await calls.run { await worker(forTeam: teamID).isReady(pluginConfigID: pluginConfigID) } ?? false
    }

    public func lastError(pluginConfigID: Int, teamID: Int) async -> PluginErrorRecord? {
        await calls.run { await worker(forTeam: teamID).lastError(pluginConfigID: pluginConfigID) } ?? nil
    }

    /// Writes a SYSTEM entry in a loaded config's plugin log, as its current instance; for what the
    /// server decides about the config, such as the work queue pausing it.
    public func logSystemMessage(_ level: PluginLogEntry.Level, _ message: String, pluginConfigID: Int, teamID: Int) async {
        await calls.run { await worker(forTeam: teamID).logSystemMessage(level, message, pluginConfigID: pluginConfigID) }
    }

    /// Runs work of the queue for a loaded config: `onEvent`, `onSnapshot`, `exportEvents` or a job.
    public func deliver(_ delivery: Delivery, pluginConfigID: Int, teamID: Int) async -> DeliveryOutcome {
        await calls.run {
            await worker(forTeam: teamID).deliver(delivery, pluginConfigID: pluginConfigID, sent: .now)
        } ?? .unavailable(Self.stopped)
    }

    /// Every loaded config's scheduled tasks (`runEveryMinute`, …).
    public func scheduledTasks() async -> [(pluginConfigID: Int, teamID: Int, tasks: [String])] {
        await calls.run {
            var all: [(pluginConfigID: Int, teamID: Int, tasks: [String])] = []
            for worker in workers { all += await worker.scheduledTasks() }
            return all
        } ?? []
    }

    /// The export buffer settings of a loaded config.
    public func exportBuffer(pluginConfigID: Int, teamID: Int) async -> ExportBufferSettings? {
        await calls.run { await worker(forTeam: teamID).exportBuffer(pluginConfigID: pluginConfigID) } ?? nil
    }

    /// What the config has done since the server started.
    public func statistics(pluginConfigID: Int, teamID: Int) async -> PluginStatistics? {
        guard let statistics = await calls.run({ await worker(forTeam: teamID).statistics(pluginConfigID: pluginConfigID) })
        else { return await usageAtShutdown.value.first { $0.pluginConfigID == pluginConfigID }?.statistics }
        return statistics
    }

    /// Every config the runtime has run since it started, with its statistics; after shutdown, the final figures.
    public func usage() async -> [PluginConfigUsage] {
        let usage = await calls.run {
            var all: [PluginConfigUsage] = []
            for worker in workers { all += await worker.usage() }
            return all
        }
        guard let usage else { return await usageAtShutdown.value }
        return usage
    }

    /// The loaded VMs and the script threads' heaps. Walks the heaps: for a metrics scrape, not per event.
    public func engineMemory() async -> PluginEngineMemory {
        var all = PluginEngineMemory(vmCount: 0, heapSize: 0, heapCapacity: 0, heapExtraMemory: 0)
        return await calls.run {
            for worker in workers {
                let metrics = await worker.engineMemory()
                all.vmCount += metrics.vmCount
                all.heapSize += metrics.heapSize
                all.heapCapacity += metrics.heapCapacity
                all.heapExtraMemory += metrics.heapExtraMemory
            }
            return all
        } ?? all
    }

    /// The current values of the plugin's `metrics`, as a JSON object.
    public func metricsJSON(pluginConfigID: Int, teamID: Int) async -> String? {
        await calls.run { await worker(forTeam: teamID).metricsJSON(pluginConfigID: pluginConfigID) } ?? nil
    }

    /// Waits for the calls in progress, then tears down every config and stops the script threads. Calls
    /// from then on answer at once as for a config that isn't loaded; ``usage()`` gives the final figures.
    /// The event chains (``processEvents(_:teamID:recordingPluginLists:)``) must have ended before.
    public func shutdown() async {
        await calls.close()
        var final: [PluginConfigUsage] = []
        for worker in workers {
            await worker.unloadAll()
            final += await worker.usage()
            worker.thread.shutdown()
        }
        usageAtShutdown.set(final)
    }

    private static let stopped = "the plugin runtime has stopped: the server is shutting down"
}

/// A value set once, later than some want to read it: readers wait for it.
private final class FinalValue<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, waiters: [CheckedContinuation<Value, Never>])>((nil, []))

    func set(_ value: Value) {
        let waiters = state.withLock { state in
            state.value = value
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    var value: Value {
        get async {
            await withCheckedContinuation { continuation in
                let value = state.withLock { state in
                    if state.value == nil { state.waiters.append(continuation) }
                    return state.value
                }
                if let value { continuation.resume(returning: value) }
            }
        }
    }
}

/// Lets calls through until it closes, and its closing through once the calls in progress are done.
private final class CallGate: Sendable {
    private struct State {
        var isClosed = false
        var inProgress = 0
        var closing: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Runs `body` and returns what it returns, unless the gate is closed: then `nil`.
    func run<Result>(_ body: () async -> Result) async -> Result? {
        let entered = state.withLock { state in
            if state.isClosed { return false }
            state.inProgress += 1
            return true
        }
        guard entered else { return nil }
        defer {
            let closing = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.inProgress -= 1
                guard state.inProgress == 0 else { return nil }
                defer { state.closing = nil }
                return state.closing
            }
            closing?.resume()
        }
        return await body()
    }

    /// Closes the gate and returns once no call is in progress.
    func close() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                state.isClosed = true
                if state.inProgress > 0 { state.closing = continuation }
                return state.inProgress == 0
            }
            if idle { continuation.resume() }
        }
    }
}
