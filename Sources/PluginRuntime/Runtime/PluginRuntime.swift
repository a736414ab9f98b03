import Foundation
import JavaScriptEngine
public import Logging
public import ServiceLifecycle
public import Storage
import Synchronization

/// Runs plugin configs: loads them, runs each team's chain, tears them down.
///
/// Each script thread (worker) makes a VM of a config when it first needs one, so a team's events
/// can run on every thread: each lane of events (one `distinct_id`'s, in order) goes to the least
/// busy thread, passing over a thread held by a long call. What concerns a config rather than one
/// VM (its state, last error, time-out pauses, memory breaches) lives in a registry all threads share.
///
/// As a `Service`, it tears down idle VMs while it runs and every config when it stops.
public final class PluginRuntime: Service, Sendable {
    private let workers: [PluginWorker]
    private let lanes: LaneDispatcher
    private let registry: ConfigRegistry
    private let statistics = StatisticsBook()
    /// Each thread's heap as last read (a read walks the heap and needs the thread), for metrics.
    private let heaps: Mutex<[ScriptHeapStatistics?]>
    private let configuration: PluginRuntimeConfiguration
    private let services: PluginHostServices
    private let clock: any Clock<Duration>
    private let onStatusChange: @Sendable (PluginConfigStatusChange) -> Void
    private let logger: Logger
    /// The running `setupPlugin` retries, by config.
    private let setupRetries = Mutex<[Int: Task<Void, Never>]>([:])
    /// Calls from other services (the management API, the work queue, metrics) may arrive while the runtime
    /// stops, as when the server is cancelled: a call that reached a stopped script thread would wait forever.
    private let calls = CallGate()
    private let hasShutDown = Mutex(false)

    /// - Parameters:
    ///   - configuration: Time and memory limits, retry waits and the number of script threads.
    ///   - services: Cache, storage and logs for the plugins.
    ///   - clock: The clock `setupPlugin` retries wait on; tests pass one they control.
    ///   - logger: For what the operator should know (configs disabled, VMs retired).
    ///   - onStatusChange: Told when a config gets disabled, so its owner can record it.
    public init(
        configuration: PluginRuntimeConfiguration = PluginRuntimeConfiguration(),
        services: PluginHostServices,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "quill.plugins", factory: { _ in SwiftLogNoOpLogHandler() }),
        onStatusChange: @escaping @Sendable (PluginConfigStatusChange) -> Void = { _ in }
    ) {
        let registry = ConfigRegistry(breakerSettings: configuration.processEventBreaker)
        self.registry = registry
        self.configuration = configuration
        self.services = services
        self.clock = clock
        self.logger = logger
        self.onStatusChange = onStatusChange
        heaps = Mutex(Array(repeating: nil, count: configuration.workerCount))
        // The workers report to the runtime, which owns them: they reach it through this box, filled below.
        let runtime = WeakRuntime()
        let reports = WorkerReports(
            setupNeedsRetry: { id, generation, worker in runtime.value?.retrySetup(of: id, generation: generation, on: worker) },
            disable: { id, reason in runtime.value?.disableLater(id, reason: reason) })
        let statistics = self.statistics
        workers = (0..<configuration.workerCount).map { index in
            PluginWorker(
                index: index, configuration: configuration, services: services, registry: registry, statistics: statistics,
                reports: reports)
        }
        lanes = LaneDispatcher(
            activities: workers.map(\.activity), lanesPerThread: configuration.lanesPerThread,
            busyThreshold: configuration.busyThreshold)
        runtime.value = self
    }

    /// The module names plugins may import: what the compiler leaves to the runtime's `require`.
    /// Node's own modules may be imported as `node:NAME` too.
    public static let providedModules: Set<String> = Set(BuiltinModules.all.keys).union(
        BuiltinModules.all.keys.filter { !$0.hasPrefix("@") && !$0.hasPrefix("quill:") }.map { "node:" + $0 })

    // MARK: Service

    /// Until shutdown begins: reads the threads' heaps every 10 s (for metrics, which must not wait for a
    /// thread) and tears down VMs idle past `idleTimeout`. Then tears down every config.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var lastRetirement = ContinuousClock.now
            while !Task.isCancelled {
                await self.readHeaps()
                try await Task.sleep(for: .seconds(10))
                if let idleTime = self.configuration.idleTimeout, ContinuousClock.now - lastRetirement >= min(idleTime / 4, .seconds(60)) {
                    lastRetirement = .now
                    await self.retireIdleVMs(unusedFor: idleTime)
                }
            }
        }
        await shutdown()
    }

    /// Reads each thread's heap, on the thread, one at a time: a thread held by a long call holds up only this.
    private func readHeaps() async {
        for (index, worker) in workers.enumerated() {
            guard let heap = await calls.run({ await worker.heapStatistics() }) else { return }
            heaps.withLock { $0[index] = heap }
        }
    }

    /// Tears down the VMs that ran nothing for `idleTime`.
    public func retireIdleVMs(unusedFor idleTime: Duration) async {
        let cutoff = ContinuousClock.now - idleTime
        for worker in workers {
            _ = await calls.run { await worker.retireIdleVMs(unusedSince: cutoff) }
        }
    }

    // MARK: Choosing a thread

    /// The thread for work beside the lanes: the one with the fewest lanes, passing over threads held by one
    /// long call while another isn't, and preferring `preferred` threads among equals.
    private func leastBusyWorker(preferring preferred: (Int) -> Bool = { _ in false }) -> Int {
        let threshold = configuration.busyThreshold
        let lanesInFlight = lanes.lanesInFlight
        return workers.indices.min { first, second in
            func rank(_ index: Int) -> (Int, Int, Int) {
                let held = (workers[index].activity.busyFor ?? .zero) > threshold
                return (held ? 1 : 0, lanesInFlight[index], preferred(index) ? 0 : 1)
            }
            return rank(first) < rank(second)
        }!
    }

    private func onWorker<Result>(_ index: Int, _ body: (PluginWorker) async -> Result) async -> Result {
        await body(workers[index])
    }

    // MARK: Loading

    /// Loads a config, or reloads it with new code or settings, and runs its `setupPlugin` on one thread.
    /// The config's previous VMs keep serving until the new one is set up; then they are torn down.
    public func load(_ definition: PluginConfigDefinition) async -> PluginLoadOutcome {
        await calls.run { await performLoad(definition) } ?? .disabled(reason: Self.stopped)
    }

    private func performLoad(_ definition: PluginConfigDefinition) async -> PluginLoadOutcome {
        let id = definition.id
        let generation = registry.nextGeneration(of: id)
        let instanceID = UUID()
        let worker = leastBusyWorker()
        let outcome = await onWorker(worker) { await $0.load(definition, generation: generation, instanceID: instanceID) }
        cancelSetupRetries(of: id)
        switch outcome {
        case .failed(let reason):
            await unloadEverywhere(id)
            onStatusChange(.disabled(pluginConfigID: id, reason: reason))
            return .disabled(reason: reason)
        case .ready(let capabilities), .retry(let capabilities):
            let isReady = if case .ready = outcome { true } else { false }
            let config = LoadedConfig(
                definition: definition, generation: generation, instanceID: instanceID, capabilities: capabilities,
                state: isReady ? .ready : .retryingSetup)
            guard registry.install(config) else { return .disabled(reason: "a newer load of plugin config \(id) replaced this one") }
            for (index, other) in workers.enumerated() where index != worker {
                await other.retire(pluginConfigID: id, before: generation)
            }
            log(.info, "Plugin loaded (instance ID \(instanceID)).", config: config)
            if isReady { return .ready(capabilities) }
            retrySetup(of: id, generation: generation, on: worker)
            return .retryingSetup(capabilities)
        }
    }

    /// Registers a config without running its code: each script thread makes its VM, and runs `setupPlugin`,
    /// when it first needs it (as PostHog's lazy VMs did). Without recorded capabilities it is loaded now.
    public func register(_ definition: PluginConfigDefinition) async -> PluginLoadOutcome {
        guard let capabilities = definition.capabilities else { return await load(definition) }
        return await calls.run {
            cancelSetupRetries(of: definition.id)
            let config = LoadedConfig(
                definition: definition, generation: registry.nextGeneration(of: definition.id), instanceID: UUID(),
                capabilities: capabilities, state: .ready)
            registry.install(config)
            return .ready(capabilities)
        } ?? .disabled(reason: Self.stopped)
    }

    /// Runs the config's `teardownPlugin` on every thread and removes it from its team's chain.
    public func unload(pluginConfigID: Int, teamID: Int) async {
        await calls.run { await unloadEverywhere(pluginConfigID) }
    }

    private func unloadEverywhere(_ id: Int) async {
        cancelSetupRetries(of: id)
        let threads = registry.workersWithVM(of: id)
        registry.remove(id)
        // The config is out of every chain now. Its VMs' teardowns are waited for, except on a thread held by a
        // long call: that one runs when the thread gets to it, so whoever removed the config isn't held up.
        var teardowns: [Task<Void, Never>] = []
        for worker in workers where threads.contains(worker.index) {
            let teardown = Task { await worker.unload(pluginConfigID: id) }
            if (worker.activity.busyFor ?? .zero) <= configuration.busyThreshold { teardowns.append(teardown) }
        }
        for teardown in teardowns { await teardown.value }
    }

    /// Retries `setupPlugin` on the thread whose VM asked for it, after each delay, until it succeeds or the
    /// attempts run out; meanwhile the config is skipped (listed as failed).
    private func retrySetup(of id: Int, generation: Int, on worker: Int) {
        registry.setState(.retryingSetup, of: id, generation: generation)
        setupRetries.withLock { retries in
            guard retries[id] == nil else { return }
            retries[id] = Task {
                defer { _ = setupRetries.withLock { $0.removeValue(forKey: id) } }
                for attempt in 2...(configuration.setupRetryDelays.count + 1) {
                    do {
                        try await clock.sleep(for: configuration.setupRetryDelays[attempt - 2])
                    } catch {
                        return  // cancelled: the config was reloaded or removed
                    }
                    let outcome = await calls.run {
                        await onWorker(worker) { await $0.retrySetup(pluginConfigID: id, generation: generation, attempt: attempt) }
                    }
                    switch outcome {
                    case .ready?:
                        registry.setState(.ready, of: id, generation: generation)
                        return
                    case .retry?:
                        continue
                    case .failed(let reason)?:
                        await disable(id, reason: reason)
                        return
                    case nil, nil?:
                        return  // stopped, or the VM was replaced meanwhile
                    }
                }
            }
        }
    }

    private func cancelSetupRetries(of id: Int) {
        setupRetries.withLock { $0.removeValue(forKey: id) }?.cancel()
    }

    /// Disables a config everywhere, for a reason its owner records.
    private func disable(_ id: Int, reason: String) async {
        guard let config = registry.config(id) else { return }
        log(.error, reason, config: config)
        logger.warning("Disabled a plugin config", metadata: ["plugin_config.id": "\(id)", "reason": "\(reason)"])
        await unloadEverywhere(id)
        onStatusChange(.disabled(pluginConfigID: id, reason: reason))
    }

    /// `disable` for a worker, which must not wait for itself.
    private func disableLater(_ id: Int, reason: String) {
        Task { _ = await calls.run { await disable(id, reason: reason) } }
    }

    private func log(_ type: PluginLogEntry.Level, _ message: String, config: LoadedConfig) {
        services.logs.append(
            PluginLogEntry(
                teamID: config.definition.teamID, pluginID: config.definition.pluginID, pluginConfigID: config.id,
                source: .system, type: type, message: message, instanceID: config.instanceID))
    }

    // MARK: The chain

    /// Runs the team's `processEvent` chain on one event given as JSON.
    ///
    /// - Parameter recordingPluginLists: Whether to add `$plugins_succeeded`, `$plugins_failed` and
    ///   `$plugins_deferred` to the event's properties, as ingestion does.
    public func processEvent(
        _ event: [UInt8], teamID: Int, recordingPluginLists: Bool = true
    ) async throws(MalformedEventError) -> ChainResult {
        try await processEvents([event], teamID: teamID, recordingPluginLists: recordingPluginLists)[0].get()
    }

    /// Runs the team's chain on each event in turn, in order, on one script thread (a lane): the events go
    /// to it and back once, not once each. The thread is the one ``LaneDispatcher`` gives the lane.
    ///
    /// - Parameter session: `quill plugin run`'s, whose queued jobs run right after the call that queued them.
    public func processEvents(
        _ events: [[UInt8]], teamID: Int, recordingPluginLists: Bool = true, session: PluginRunSession? = nil
    ) async -> [Result<ChainResult, MalformedEventError>] {
        let stopped = Result<ChainResult, MalformedEventError>.failure(MalformedEventError(description: Self.stopped))
        return await calls.run {
            let thread = await lanes.acquire(team: teamID)
            defer { lanes.release(thread) }
            return await workers[thread].processEvents(
                events, teamID: teamID, recordingPluginLists: recordingPluginLists, session: session)
        } ?? Array(repeating: stopped, count: events.count)
    }

    // MARK: Work beside the chain

    /// Runs work of the queue for a loaded config: `onEvent`, `onSnapshot`, `exportEvents`, a job or a
    /// scheduled task; on a thread that has the config's VM if one is free.
    public func deliver(_ delivery: Delivery, pluginConfigID: Int, teamID: Int) async -> DeliveryOutcome {
        let sent = ContinuousClock.now
        return await calls.run {
            guard let config = registry.config(pluginConfigID) else {
                return .unavailable("plugin config \(pluginConfigID) is not loaded: it is disabled or was removed")
            }
            let withVM = registry.workersWithVM(of: pluginConfigID)
            return await onWorker(leastBusyWorker(preferring: withVM.contains)) {
                await $0.deliver(delivery, config: config, sent: sent)
            }
        } ?? .unavailable(Self.stopped)
    }

    /// Loads `code` into a throwaway VM (no `setupPlugin`) to check it runs and see what it exports.
    public func inspect(_ code: CompiledPlugin, pluginName: String) async -> Result<PluginCapabilities, PluginCodeError> {
        await calls.run {
            await onWorker(leastBusyWorker()) { await $0.inspect(code, pluginName: pluginName) }
        } ?? .failure(PluginCodeError(description: Self.stopped))
    }

    // MARK: What the configs are and did

    public func capabilities(pluginConfigID: Int, teamID: Int) async -> PluginCapabilities? {
        registry.config(pluginConfigID)?.capabilities
    }

    /// Whether the config is loaded with its `setupPlugin` done.
    public func isReady(pluginConfigID: Int, teamID: Int) async -> Bool {
        registry.config(pluginConfigID)?.state == .ready
    }

    public func lastError(pluginConfigID: Int, teamID: Int) async -> PluginErrorRecord? {
        registry.lastError(of: pluginConfigID)
    }

    /// Writes a SYSTEM entry in a loaded config's plugin log, as its current instance; for what the
    /// server decides about the config, such as the work queue pausing it.
    public func logSystemMessage(_ level: PluginLogEntry.Level, _ message: String, pluginConfigID: Int, teamID: Int) async {
        guard let config = registry.config(pluginConfigID) else { return }
        log(level, message, config: config)
    }

    /// Every loaded config's scheduled tasks (`runEveryMinute`, …).
    public func scheduledTasks() async -> [(pluginConfigID: Int, teamID: Int, tasks: [String])] {
        registry.all.filter { !$0.capabilities.scheduledTasks.isEmpty }.sorted { $0.id < $1.id }.map {
            ($0.id, $0.definition.teamID, $0.capabilities.scheduledTasks)
        }
    }

    /// How politely a loaded config's webhooks are delivered.
    public func deliverySettings(pluginConfigID: Int, teamID: Int) async -> DeliverySettings? {
        registry.config(pluginConfigID).map { DeliverySettings(config: $0.definition.config) }
    }

    /// The export buffer settings of a loaded config.
    public func exportBuffer(pluginConfigID: Int, teamID: Int) async -> ExportBufferSettings? {
        registry.config(pluginConfigID).map { ExportBufferSettings(config: $0.definition.config) }
    }

    /// What the config has done since the server started, on all threads.
    public func statistics(pluginConfigID: Int, teamID: Int) async -> PluginStatistics? {
        await usage().first { $0.pluginConfigID == pluginConfigID }?.statistics
    }

    /// Every config the runtime has run since it started, with its statistics summed over the threads.
    /// Read without the threads: it never waits for one held by a long call.
    public func usage() async -> [PluginConfigUsage] {
        statistics.usage { registry.config($0) != nil }
    }

    /// The VMs now, and the threads' heaps as last read (every 10 s while the runtime runs).
    public func engineMemory() async -> PluginEngineMemory {
        var all = PluginEngineMemory(vmCount: registry.vmCount, heapSize: 0, heapCapacity: 0, heapExtraMemory: 0)
        for heap in heaps.withLock({ $0 }).compactMap({ $0 }) {
            all.heapSize += heap.size
            all.heapCapacity += heap.capacity
            all.heapExtraMemory += heap.extraMemory
        }
        return all
    }

    /// The current values of the plugin's `metrics`, as a JSON object: each metric combined over the
    /// config's VMs as its kind says (`sum` adds, `max` and `min` pick).
    public func metricsJSON(pluginConfigID: Int, teamID: Int) async -> String? {
        await calls.run {
            var kinds: [String: String] = [:]
            var values: [String: Double] = [:]
            var found = false
            for worker in workers {
                guard let metrics = await worker.metrics(pluginConfigID: pluginConfigID) else { continue }
                found = true
                kinds.merge(metrics.kinds) { first, _ in first }
                for (name, value) in metrics.values {
                    values[name] =
                        switch kinds[name] {
                        case "max": max(values[name] ?? value, value)
                        case "min": min(values[name] ?? value, value)
                        default: (values[name] ?? 0) + value
                        }
                }
            }
            guard found else { return nil }
            let members = values.sorted { $0.key < $1.key }.map { name, value in
                "\(Self.jsonString(name)):\(value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value))"
            }
            return "{" + members.joined(separator: ",") + "}"
        } ?? nil
    }

    private static func jsonString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The script threads held by one entry into JavaScript for longer than `limit`, and for how long.
    public func threadsBusy(longerThan limit: Duration) -> [(thread: String, busyFor: Duration)] {
        workers.compactMap { worker in
            guard let busy = worker.activity.busyFor, busy > limit else { return nil }
            return ("quill-plugins-\(worker.index)", busy)
        }
    }

    // MARK: Stopping

    /// Waits for the calls in progress, then tears down every config and stops the script threads. Calls
    /// from then on answer at once as for a config that isn't loaded; ``usage()`` gives the final figures.
    /// Only the first call does this: a stopped script thread runs nothing more, so a second teardown would
    /// wait on it forever.
    public func shutdown() async {
        guard hasShutDown.withLock({ (done: inout Bool) in defer { done = true }; return !done }) else { return }
        await calls.close()
        for id in setupRetries.withLock({ Array($0.keys) }) { cancelSetupRetries(of: id) }
        for worker in workers {
            await worker.unloadAll()
            worker.thread.shutdown()
        }
        for config in registry.all { registry.remove(config.id) }
    }

    private static let stopped = "the plugin runtime has stopped: the server is shutting down"
}

/// The runtime as its workers reach it: weak, since the runtime owns them.
private final class WeakRuntime: @unchecked Sendable {
    // @unchecked: set once in the runtime's init, before any worker can report; read-only after.
    weak var value: PluginRuntime?
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

extension PluginRuntime {
    /// Runs `quill plugin run`'s steps after the chain for a loaded config, in order, on one script thread.
    public func run(_ steps: [PluginRunStep], session: PluginRunSession, pluginConfigID: Int) async {
        _ = await calls.run {
            guard let config = registry.config(pluginConfigID) else { return }
            let withVM = registry.workersWithVM(of: pluginConfigID)
            await onWorker(leastBusyWorker(preferring: withVM.contains)) { await $0.run(steps, config: config, session: session) }
        }
    }
}

extension PluginRuntime {
    /// Runs a config's `composeWebhook` on a processed event (JSON), on a thread that has its VM if one is free.
    public func composeWebhook(_ event: [UInt8], pluginConfigID: Int, teamID: Int) async -> WebhookComposition {
        let sent = ContinuousClock.now
        return await calls.run {
            guard let config = registry.config(pluginConfigID) else {
                return .failed(.unavailable("plugin config \(pluginConfigID) is not loaded: it is disabled or was removed"))
            }
            let withVM = registry.workersWithVM(of: pluginConfigID)
            return await onWorker(leastBusyWorker(preferring: withVM.contains)) {
                await $0.composeWebhook(event, config: config, sent: sent)
            }
        } ?? .failed(.unavailable(Self.stopped))
    }

    /// Sends a webhook a plugin composed, as its `fetch` would: through the fetch policy (the address guard and
    /// size bounds), within the plugin call time limit, without following redirects.
    public func sendWebhook(_ request: PluginHTTPRequest) async -> Result<PluginHTTPResponse, WebhookFailure> {
        let fetch = FetchRequest(
            url: request.url, method: request.method, headers: request.headers.map { ($0.name, $0.value) }, body: request.body,
            timeout: nil, sizeLimit: 0, decompress: true)
        switch await FetchClient.perform(fetch, policy: services.fetchPolicy, timeLimit: configuration.timeLimit) {
        case .success(let response):
            return .success(
                PluginHTTPResponse(
                    status: response.status, headers: response.headers.map { PluginHTTPHeader(name: $0.name, value: $0.value) },
                    body: response.body))
        case .failure(let failure):
            return .failure(WebhookFailure(description: "\(failure.name): \(failure.message)"))
        }
    }
}

/// A webhook that could not be sent: no answer came (refused by the fetch policy, unreachable, timed out).
public struct WebhookFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}
