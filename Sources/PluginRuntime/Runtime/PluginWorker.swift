import Foundation
import JavaScriptEngine
import Storage

/// How making a config's VM and running its `setupPlugin` went.
enum SetupOutcome: Sendable, Equatable {
    case ready(PluginCapabilities)
    /// `setupPlugin` threw `RetryError`; the VM waits on this thread for the next attempt.
    case retry(PluginCapabilities)
    /// The code didn't load or `setupPlugin` failed for good: the config must be disabled.
    case failed(reason: String)
}

/// What a worker tells its runtime about a config, beyond one call's outcome.
struct WorkerReports: Sendable {
    /// A lazily made VM's `setupPlugin` asked to be retried: the config waits for the retries.
    var setupNeedsRetry: @Sendable (_ pluginConfigID: Int, _ generation: Int, _ worker: Int) -> Void
    /// The config can't run any more: disable it everywhere.
    var disable: @Sendable (_ pluginConfigID: Int, _ reason: String) -> Void
}

/// A script thread and its context group, with a VM for each config whose work it has run.
///
/// The actor runs on its script thread, so VMs and JS values never leave it. While one event's
/// chain awaits a promise (a cache read, a fetch), other events of the worker's lanes go on. VMs
/// are made when the thread first needs a config, and every VM of a config runs `setupPlugin`.
actor PluginWorker {
    nonisolated let thread: ScriptThread
    nonisolated let index: Int
    /// When the JavaScript running on the thread began, readable from any thread.
    nonisolated let activity: ScriptActivity
    private let group: ScriptContextGroup
    let registry: ConfigRegistry
    let configuration: PluginRuntimeConfiguration
    private let services: PluginHostServices
    private let reports: WorkerReports
    private var vms: [Int: PluginVM] = [:]
    /// VMs being made, so two lanes needing the same config make one.
    private var settingUp: [Int: Task<Void, Never>] = [:]
    let statistics: StatisticsBook
    /// A context of the group that isn't a plugin's: for heap statistics, collections and the chain driver.
    private(set) lazy var probe = ScriptContext(group: group, name: "quill")
    /// `JavaScript/Chain/chain-driver.js`, made in the probe when first needed.
    private var chainDriverFunctions: ChainDriver?

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    init(
        index: Int, configuration: PluginRuntimeConfiguration, services: PluginHostServices, registry: ConfigRegistry,
        statistics: StatisticsBook, reports: WorkerReports
    ) {
        self.statistics = statistics
        self.index = index
        thread = ScriptThread(name: "quill-plugins-\(index)")
        group = ScriptContextGroup(thread: thread, timeLimit: configuration.timeLimit, memoryLimit: configuration.memoryLimit)
        activity = group.activity
        self.configuration = configuration
        self.services = services
        self.registry = registry
        self.reports = reports
    }

    // MARK: VMs

    /// Makes a VM of the config's `generation` and runs `setupPlugin` (attempt 1); the VM replaces the
    /// config's older one on this thread, unless it failed.
    func load(_ definition: PluginConfigDefinition, generation: Int, instanceID: UUID) async -> SetupOutcome {
        let vm: PluginVM
        do {
            vm = try makeVM(definition, generation: generation, instanceID: instanceID)
        } catch {
            let reason = "Plugin failed to load (instance ID \(instanceID)): \(error)"
            services.logs.append(
                PluginLogEntry(
                    teamID: definition.teamID, pluginID: definition.pluginID, pluginConfigID: definition.id,
                    source: .system, type: .error, message: reason, instanceID: instanceID))
            return .failed(reason: reason)
        }
        let outcome = await setUp(vm, attempt: 1)
        if case .failed = outcome {
            return outcome
        }
        let previous = vms[definition.id]
        place(vm)
        if let previous, previous !== vm { await tearDown(previous) }
        return outcome
    }

    /// Runs `setupPlugin` again on the config's VM of `generation` here (attempt `attempt`).
    func retrySetup(pluginConfigID: Int, generation: Int, attempt: Int) async -> SetupOutcome? {
        guard let vm = vms[pluginConfigID], vm.generation == generation, !vm.isSetUp else { return nil }
        let outcome = await setUp(vm, attempt: attempt)
        if case .ready = outcome { vm.log(.system, .info, "setupPlugin succeeded on attempt \(attempt)/\(setupAttempts).") }
        if case .failed = outcome { removeVM(of: pluginConfigID) }
        return outcome
    }

    /// The config's VM on this thread, made and set up now if there is none of its generation; `nil` when it
    /// couldn't be (its setup failed: the runtime hears of it) or the config isn't ready.
    func vm(for config: LoadedConfig) async -> PluginVM? {
        func current() -> PluginVM? {
            guard let vm = vms[config.id], vm.generation == config.generation, vm.isSetUp else { return nil }
            return vm
        }
        if let vm = vms[config.id], vm.generation == config.generation { return current() }
        guard config.state == .ready else { return nil }
        if let pending = settingUp[config.id] {
            await pending.value
            return current()
        }
        let task = Task {
            defer { settingUp[config.id] = nil }
            switch await load(config.definition, generation: config.generation, instanceID: config.instanceID) {
            case .ready: break
            case .retry: reports.setupNeedsRetry(config.id, config.generation, index)
            case .failed(let reason): reports.disable(config.id, reason)
            }
        }
        settingUp[config.id] = task
        await task.value
        return current()
    }

    /// Makes `vm` the config's VM on this thread, where the runtime can see it is.
    private func place(_ vm: PluginVM) {
        vms[vm.definition.id] = vm
        registry.noteVM(of: vm.definition.id, onWorker: index, present: true)
    }

    @discardableResult
    private func removeVM(of id: Int) -> PluginVM? {
        registry.noteVM(of: id, onWorker: index, present: false)
        return vms.removeValue(forKey: id)
    }

    private func makeVM(_ definition: PluginConfigDefinition, generation: Int, instanceID: UUID) throws(ScriptError) -> PluginVM {
        let registry = self.registry
        let id = definition.id
        return try PluginVM(
            definition: definition, generation: generation, instanceID: instanceID, group: group, services: services,
            timeLimit: configuration.timeLimit, memoryLimit: configuration.memoryLimit,
            maximumEventSize: configuration.maximumEventSize, statistics: statistics.record(for: definition, worker: index), onError: { registry.recordError($0, of: id) })
    }

    private var setupAttempts: Int { configuration.setupRetryDelays.count + 1 }

    /// Runs `setupPlugin` (if the plugin has one) and says what the runtime must do.
    private func setUp(_ vm: PluginVM, attempt: Int) async -> SetupOutcome {
        guard vm.has(.setupPlugin) else {
            vm.isSetUp = true
            return .ready(vm.capabilities)
        }
        let id = vm.definition.id
        do {
            _ = try await vm.call(.setupPlugin)
            vm.isSetUp = true
            registry.noteSetUp(of: id, generation: vm.generation)
            return .ready(vm.capabilities)
        } catch {
            let isRetryError = error.errorClass == PluginVM.retryErrorClass
            // Any error of a config whose setup succeeded before (a VM made again after idling, or on another
            // thread) is retried too: its code and configuration did work, so a destination that is down for
            // a while must not disable it.
            guard isRetryError || (error.kind != .memoryLimit && registry.hasBeenSetUp(id, generation: vm.generation)) else {
                vm.recordError(error)
                if error.kind == .memoryLimit { discard(vm, over: error) }
                return .failed(reason: "setupPlugin failed: \(error). Disabling the plugin.")
            }
            let kind = isRetryError ? "with RetryError" : "again after it had succeeded"
            let label = "setupPlugin failed \(kind) (attempt \(attempt)/\(setupAttempts)): \(error.message)"
            guard attempt < setupAttempts else {
                vm.recordError(error)
                return .failed(reason: "\(label). Disabling the plugin after \(setupAttempts) attempts.")
            }
            let delay = configuration.setupRetryDelays[attempt - 1]
            vm.log(.system, .warn, "\(label). Retrying in \(delay.formattedSeconds).")
            return .retry(vm.capabilities)
        }
    }

    /// Stops running the config here: `teardownPlugin` runs on its VM, if it was set up.
    func unload(pluginConfigID: Int) async {
        settingUp[pluginConfigID]?.cancel()
        guard let vm = removeVM(of: pluginConfigID) else { return }
        await tearDown(vm)
    }

    /// Tears down the config's VM here if it is older than `generation`: a reload replaced it.
    func retire(pluginConfigID: Int, before generation: Int) async {
        guard let vm = vms[pluginConfigID], vm.generation < generation else { return }
        removeVM(of: pluginConfigID)
        await tearDown(vm)
    }

    /// Tears down the VMs that ran nothing since `cutoff`; the next call that needs one makes it again.
    func retireIdleVMs(unusedSince cutoff: ContinuousClock.Instant) async {
        for (id, vm) in vms where vm.lastUsed < cutoff && vm.isIdle {
            removeVM(of: id)
            await tearDown(vm)
        }
    }

    /// Unloads every config. What their plugins started gets one call's time in all, not each.
    func unloadAll() async {
        let deadline = ContinuousClock.now + configuration.timeLimit
        for id in Array(vms.keys) {
            settingUp[id]?.cancel()
            guard let vm = removeVM(of: id) else { continue }
            await tearDown(vm, waitingUntil: deadline)
        }
    }

    /// Runs the VM's `teardownPlugin`. What the plugin started and didn't await (a fetch, a storage write) finishes
    /// first, until `deadline` (by default a call's time from now).
    private func tearDown(_ vm: PluginVM, waitingUntil deadline: ContinuousClock.Instant? = nil) async {
        let wait = (deadline ?? .now + configuration.timeLimit) - .now
        if await !vm.context.hostWork.settled(within: max(wait, .zero)) {
            vm.log(.system, .warn, "Tearing down with \(vm.context.hostWork.pending) operations the plugin started still pending.")
        }
        if vm.isSetUp && vm.has(.teardownPlugin) {
            do {
                _ = try await vm.call(.teardownPlugin)
            } catch {
                vm.recordError(error)
            }
        }
        vm.log(.system, .info, "Plugin unloaded (instance ID \(vm.instanceID)).")
    }

    /// Throws a VM away without its teardown: it took more memory than its limit. The memory goes back to
    /// the system, and the next call that needs the config makes a new VM; a config that keeps doing this
    /// is disabled.
    func discard(_ vm: PluginVM, over error: ScriptError) {
        if vms[vm.definition.id] === vm { removeVM(of: vm.definition.id) }
        let limit = (configuration.memoryLimit ?? 0) / 1_048_576
        let breaches = registry.recordMemoryBreach(of: vm.definition.id, within: configuration.memoryBreachWindow)
        vm.log(
            .system, .error,
            "Plugin stopped: it took more than \(limit) MiB of memory. Its VM was thrown away and is made again for the next call "
                + "(\(breaches) of \(configuration.memoryBreachesBeforeDisabling) allowed within \(configuration.memoryBreachWindow.formattedSeconds)).")
        vm.context.memoryAccount = nil
        group.collectGarbage(using: probe)
        // What its abandoned calls still hold is released when their host operations end: collect again then.
        Task {
            try? await Task.sleep(for: .seconds(1))
            group.collectGarbage(using: probe)
        }
        if breaches >= configuration.memoryBreachesBeforeDisabling {
            reports.disable(
                vm.definition.id,
                "The plugin took more than \(limit) MiB of memory \(breaches) times within \(configuration.memoryBreachWindow.formattedSeconds). Disabling the plugin.")
        }
    }

    /// Evaluates code in a throwaway VM, without `setupPlugin`, and reports what it exports.
    func inspect(_ code: CompiledPlugin, pluginName: String) -> Result<PluginCapabilities, PluginCodeError> {
        let definition = PluginConfigDefinition(id: 0, teamID: 0, pluginID: 0, pluginName: pluginName, code: code)
        do {
            return .success(
                try PluginVM(
                    definition: definition, generation: 0, instanceID: UUID(), group: group,
                    services: PluginServicesForInspection.services, timeLimit: configuration.timeLimit,
                    memoryLimit: configuration.memoryLimit, maximumEventSize: configuration.maximumEventSize,
                    statistics: PluginStatisticsRecord(teamID: 0, pluginID: 0, pluginName: pluginName), onError: { _ in }
                ).capabilities)
        } catch {
            return .failure(PluginCodeError(description: error.description, stack: error.stack))
        }
    }

    // MARK: What the worker has done

    /// The plugin's `metrics` on this thread: their kinds and values.
    func metrics(pluginConfigID: Int) -> (kinds: [String: String], values: [String: Double])? {
        vms[pluginConfigID].map { ($0.metricKinds, $0.metricValuesByName()) }
    }

    /// The thread's heap. Walks it: for a periodic reading, not per event.
    func heapStatistics() -> ScriptHeapStatistics {
        probe.heapStatistics()
    }


    /// The chain driver of this thread (`JavaScript/Chain/chain-driver.js`), made in the probe when first needed.
    func chainDriver() throws(ScriptError) -> ChainDriver {
        if let chainDriverFunctions { return chainDriverFunctions }
        let bounds = try probe.array(FunctionStatistics.durationBucketBounds.map(probe.number))
        let made = try probe.evaluate(JavaScriptInclude.utf8Length.included(in: EmbeddedJavaScript.chainDriver), sourceURL: "quill:chain-driver.js").call([
            probe.string(pluginCaptureOriginProperty), probe.monotonicClock(), group.unitCounter(in: probe), bounds,
        ])
        let driver = ChainDriver(
            start: try made.get("start"), run: try made.get("run"), resume: try made.get("resume"),
            resumeSettled: try made.get("resumeSettled"), stop: try made.get("stop"),
            results: try made.get("results"))
        chainDriverFunctions = driver
        return driver
    }

    // MARK: Work beside the chain

    /// Runs `onEvent`, `onSnapshot`, `exportEvents`, a job or a scheduled task of a config, once the script
    /// thread has run the ingestion chains queued on it.
    ///
    /// - Parameter sent: When the caller sent it: a call sent before the config's latest time-out is
    ///   deferred, so a config that just timed out doesn't run the calls it had waiting, each to the limit.
    func deliver(_ delivery: Delivery, config: LoadedConfig, sent: ContinuousClock.Instant) async -> DeliveryOutcome {
        await withVM(of: config, sent: sent) { vm throws(ScriptError) in
            switch delivery {
            case .onEvent(let event): _ = try await vm.call(.onEvent, [vm.context.parseJSON(event)])
            case .onSnapshot(let event): _ = try await vm.call(.onSnapshot, [vm.context.parseJSON(event)])
            case .exportEvents(let events): _ = try await vm.call(.exportEvents, [vm.context.parseJSON(events)])
            case .job(let name, let payload): _ = try await vm.callJob(name, payload: vm.context.parseJSON(payload))
            case .scheduledTask(let name):
                guard let task = PluginMethod(rawValue: name), PluginMethod.scheduledTasks.contains(task) else {
                    throw ScriptError(name: "TypeError", message: "'\(name)' is not a scheduled task")
                }
                _ = try await vm.call(task)
            }
        }
    }

    /// Runs `composeWebhook` on a processed event (JSON) as a delivery, and returns the webhook it composed.
    func composeWebhook(_ event: [UInt8], config: LoadedConfig, sent: ContinuousClock.Instant) async -> WebhookComposition {
        var request: PluginHTTPRequest?
        let outcome = await withVM(of: config, sent: sent) { vm throws(ScriptError) in
            request = try await vm.composeWebhook(event).map(vm.httpRequest)
        }
        guard outcome == .succeeded else { return .failed(outcome) }
        return request.map(WebhookComposition.webhook) ?? .none
    }

    /// Runs `body` on the config's VM here, once the script thread has run the ingestion chains queued on
    /// it, and says how it went.
    private func withVM(
        of config: LoadedConfig, sent: ContinuousClock.Instant, _ body: (PluginVM) async throws(ScriptError) -> Void
    ) async -> DeliveryOutcome {
        await thread.backgroundTurn()
        let id = config.id
        let waiting = DeliveryOutcome.waitingForSetup("plugin config \(id) is retrying setupPlugin")
        guard config.state == .ready else { return waiting }
        if registry.timedOut(id, after: sent) {
            return .deferred("an earlier call of plugin config \(id) timed out while this one waited")
        }
        guard let vm = await vm(for: config) else {
            if registry.config(id)?.state == .retryingSetup { return waiting }
            return .unavailable("plugin config \(id) could not be set up on this thread: it is disabled")
        }
        do throws(ScriptError) {
            try await body(vm)
            return .succeeded
        } catch {
            vm.recordError(error)
            switch error.kind {
            case .timeout:
                registry.recordTimeOut(of: id)
                return .timedOut(error.description)
            case .memoryLimit:
                discard(vm, over: error)
                return .failed(error.description)
            case .exception:
                return error.errorClass == PluginVM.retryErrorClass ? .retry(error.description) : .failed(error.description)
            }
        }
    }
}

/// Services of a VM that only has its exports looked at: nothing it could reach is kept.
private enum PluginServicesForInspection {
    static let services = PluginHostServices(
        cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: MemoryPluginLogStore(capacity: 0))
}
