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
    private let usageAtShutdown = Mutex<[PluginConfigUsage]?>(nil)

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
        await worker(forTeam: definition.teamID).load(definition)
    }

    /// Runs the config's `teardownPlugin` and removes it from its team's chain.
    public func unload(pluginConfigID: Int, teamID: Int) async {
        await worker(forTeam: teamID).unload(pluginConfigID: pluginConfigID)
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
        await workers[0].inspect(code, pluginName: pluginName)
    }

    public func capabilities(pluginConfigID: Int, teamID: Int) async -> PluginCapabilities? {
        await worker(forTeam: teamID).capabilities(pluginConfigID: pluginConfigID)
    }

    /// Whether the config is loaded with its `setupPlugin` done.
    public func isReady(pluginConfigID: Int, teamID: Int) async -> Bool {
        await worker(forTeam: teamID).isReady(pluginConfigID: pluginConfigID)
    }

    public func lastError(pluginConfigID: Int, teamID: Int) async -> PluginErrorRecord? {
        await worker(forTeam: teamID).lastError(pluginConfigID: pluginConfigID)
    }

    /// Writes a SYSTEM entry in a loaded config's plugin log, as its current instance; for what the
    /// server decides about the config, such as the work queue pausing it.
    public func logSystemMessage(_ level: PluginLogEntry.Level, _ message: String, pluginConfigID: Int, teamID: Int) async {
        await worker(forTeam: teamID).logSystemMessage(level, message, pluginConfigID: pluginConfigID)
    }

    /// Runs work of the queue for a loaded config: `onEvent`, `onSnapshot`, `exportEvents` or a job.
    public func deliver(_ delivery: Delivery, pluginConfigID: Int, teamID: Int) async -> DeliveryOutcome {
        await worker(forTeam: teamID).deliver(delivery, pluginConfigID: pluginConfigID, sent: .now)
    }

    /// Every loaded config's scheduled tasks (`runEveryMinute`, …).
    public func scheduledTasks() async -> [(pluginConfigID: Int, teamID: Int, tasks: [String])] {
        var all: [(pluginConfigID: Int, teamID: Int, tasks: [String])] = []
        for worker in workers { all += await worker.scheduledTasks() }
        return all
    }

    /// The export buffer settings of a loaded config.
    public func exportBuffer(pluginConfigID: Int, teamID: Int) async -> ExportBufferSettings? {
        await worker(forTeam: teamID).exportBuffer(pluginConfigID: pluginConfigID)
    }

    /// What the config has done since the server started.
    public func statistics(pluginConfigID: Int, teamID: Int) async -> PluginStatistics? {
        await worker(forTeam: teamID).statistics(pluginConfigID: pluginConfigID)
    }

    /// Every config the runtime has run since it started, with its statistics.
    public func usage() async -> [PluginConfigUsage] {
        if let final = usageAtShutdown.withLock({ $0 }) { return final }
        var all: [PluginConfigUsage] = []
        for worker in workers { all += await worker.usage() }
        return all
    }

    /// The loaded VMs and the script threads' heaps. Walks the heaps: for a metrics scrape, not per event.
    public func engineMemory() async -> PluginEngineMemory {
        var all = PluginEngineMemory(vmCount: 0, heapSize: 0, heapCapacity: 0, heapExtraMemory: 0)
        guard usageAtShutdown.withLock({ $0 == nil }) else { return all }
        for worker in workers {
            let metrics = await worker.engineMemory()
            all.vmCount += metrics.vmCount
            all.heapSize += metrics.heapSize
            all.heapCapacity += metrics.heapCapacity
            all.heapExtraMemory += metrics.heapExtraMemory
        }
        return all
    }

    /// The current values of the plugin's `metrics`, as a JSON object.
    public func metricsJSON(pluginConfigID: Int, teamID: Int) async -> String? {
        await worker(forTeam: teamID).metricsJSON(pluginConfigID: pluginConfigID)
    }

    /// Tears down every config and stops the script threads; ``usage()`` still answers afterwards.
    public func shutdown() async {
        var final: [PluginConfigUsage] = []
        for worker in workers {
            await worker.unloadAll()
            final += await worker.usage()
            worker.thread.shutdown()
        }
        usageAtShutdown.withLock { $0 = final }
    }
}
