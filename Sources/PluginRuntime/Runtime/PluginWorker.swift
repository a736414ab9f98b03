import EventIngestion
import Foundation
import JavaScriptEngine
import Storage

/// A script thread and its context group, with the plugin VMs and chains of the teams given to it.
///
/// The actor runs on its script thread, so VMs and JS values never leave it. While one event's
/// chain awaits a promise (a cache read, a fetch), other events of the worker's teams go on.
actor PluginWorker {
    nonisolated let thread: ScriptThread
    private let group: ScriptContextGroup
    private let configuration: PluginRuntimeConfiguration
    private let services: PluginHostServices
    private let clock: any Clock<Duration>
    private let onStatusChange: @Sendable (PluginConfigStatusChange) -> Void
    private var vms: [Int: PluginVM] = [:]
    /// Each team's configs in chain order.
    private var chains: [Int: [PluginVM]] = [:]
    /// Every config's statistics since the server started, kept after it is unloaded: its
    /// plugin-seconds still count for its team.
    private var statisticsRecords: [Int: PluginStatisticsRecord] = [:]
    /// When each config that ran out of time last did, for `deliver`.
    private var latestTimeOut: [Int: ContinuousClock.Instant] = [:]
    /// A context for reading the heap's size when no VM is loaded.
    private lazy var heapProbe = ScriptContext(group: group, name: "heap statistics")

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    init(
        name: String, configuration: PluginRuntimeConfiguration, services: PluginHostServices,
        clock: any Clock<Duration>, onStatusChange: @escaping @Sendable (PluginConfigStatusChange) -> Void
    ) {
        thread = ScriptThread(name: name)
        group = ScriptContextGroup(thread: thread, timeLimit: configuration.timeLimit)
        self.configuration = configuration
        self.services = services
        self.clock = clock
        self.onStatusChange = onStatusChange
    }

    // MARK: Loading

    /// Loads (or reloads) a config: a new VM, `setupPlugin`, then the swap; the old VM keeps
    /// serving until the new one is ready and is torn down after.
    func load(_ definition: PluginConfigDefinition) async -> PluginLoadOutcome {
        let vm: PluginVM
        do {
            vm = try PluginVM(
                definition: definition, group: group, services: services, timeLimit: configuration.timeLimit,
                statistics: statisticsRecord(of: definition))
        } catch {
            let instanceID = UUID()
            let reason = "Plugin failed to load (instance ID \(instanceID)): \(error)"
            services.logs.append(
                PluginLogEntry(
                    teamID: definition.teamID, pluginID: definition.pluginID, pluginConfigID: definition.id,
                    source: .system, type: .error, message: reason, instanceID: instanceID))
            await unload(pluginConfigID: definition.id)
            onStatusChange(.disabled(pluginConfigID: definition.id, reason: reason))
            return .disabled(reason: reason)
        }

        if vm.has(.setupPlugin) {
            switch await attemptSetup(of: vm, attempt: 1) {
            case .succeeded:
                vm.state = .ready
            case .retry:
                vm.state = .retryingSetup
                vm.setupRetries = Task { await self.retrySetup(of: vm.definition.id, instanceID: vm.instanceID) }
            case .failed(let reason):
                await unload(pluginConfigID: definition.id)
                disable(vm, reason: reason)
                return .disabled(reason: reason)
            }
        } else {
            vm.state = .ready
        }

        let previous = vms[definition.id]
        install(vm)
        if let previous { await tearDown(previous) }
        vm.log(.system, .info, "Plugin loaded (instance ID \(vm.instanceID)).")
        if case .retryingSetup = vm.state { return .retryingSetup(vm.capabilities) }
        return .ready(vm.capabilities)
    }

    /// Stops a config: it leaves its chain and its `teardownPlugin` runs.
    func unload(pluginConfigID: Int) async {
        guard let vm = vms.removeValue(forKey: pluginConfigID) else { return }
        removeFromChain(vm)
        await tearDown(vm)
    }

    /// Unloads every config.
    func unloadAll() async {
        for id in Array(vms.keys) {
            await unload(pluginConfigID: id)
        }
    }

    func capabilities(pluginConfigID: Int) -> PluginCapabilities? { vms[pluginConfigID]?.capabilities }

    /// Evaluates code in a throwaway VM, without `setupPlugin`, and reports what it exports.
    func inspect(_ code: CompiledPlugin, pluginName: String) -> Result<PluginCapabilities, PluginCodeError> {
        let definition = PluginConfigDefinition(id: 0, teamID: 0, pluginID: 0, pluginName: pluginName, code: code)
        let inspecting = PluginServicesForInspection.services
        do {
            return .success(
                try PluginVM(
                    definition: definition, group: group, services: inspecting, timeLimit: configuration.timeLimit,
                    statistics: PluginStatisticsRecord(teamID: 0)
                ).capabilities)
        } catch {
            return .failure(PluginCodeError(description: error.description, stack: error.stack))
        }
    }
    func lastError(pluginConfigID: Int) -> PluginErrorRecord? { vms[pluginConfigID]?.lastError }
    func logSystemMessage(_ level: PluginLogEntry.Level, _ message: String, pluginConfigID: Int) {
        vms[pluginConfigID]?.log(.system, level, message)
    }
    func metricsJSON(pluginConfigID: Int) -> String? { vms[pluginConfigID]?.metricsJSON() }
    func statistics(pluginConfigID: Int) -> PluginStatistics? { statisticsRecords[pluginConfigID]?.value }

    /// The record a config's VMs count into, made on its first load.
    private func statisticsRecord(of definition: PluginConfigDefinition) -> PluginStatisticsRecord {
        let record = statisticsRecords[definition.id] ?? PluginStatisticsRecord(teamID: definition.teamID)
        record.pluginID = definition.pluginID
        record.pluginName = definition.pluginName
        statisticsRecords[definition.id] = record
        return record
    }

    /// Every config this worker has run, with its statistics.
    func usage() -> [PluginConfigUsage] {
        statisticsRecords.map { id, record in
            PluginConfigUsage(
                pluginConfigID: id, teamID: record.teamID, pluginID: record.pluginID, pluginName: record.pluginName,
                isLoaded: vms[id] != nil, statistics: record.value)
        }
    }

    /// The worker's VMs and its heap.
    func engineMemory() -> PluginEngineMemory {
        let heap = (vms.values.first?.context ?? heapProbe).heapStatistics()
        return PluginEngineMemory(
            vmCount: vms.count, heapSize: heap.size, heapCapacity: heap.capacity, heapExtraMemory: heap.extraMemory)
    }

    func isReady(pluginConfigID: Int) -> Bool { vms[pluginConfigID]?.isReady ?? false }

    private func install(_ vm: PluginVM) {
        let id = vm.definition.id
        if let previous = vms[id] { removeFromChain(previous) }
        vms[id] = vm
        var chain = chains[vm.definition.teamID, default: []]
        chain.append(vm)
        // Stable across runs: by order, then by config id.
        chain.sort { ($0.definition.order, $0.definition.id) < ($1.definition.order, $1.definition.id) }
        chains[vm.definition.teamID] = chain
    }

    private func removeFromChain(_ vm: PluginVM) {
        let team = vm.definition.teamID
        chains[team]?.removeAll { $0 === vm }
        if chains[team]?.isEmpty == true { chains[team] = nil }
    }

    private func tearDown(_ vm: PluginVM) async {
        vm.setupRetries?.cancel()
        if vm.isReady && vm.has(.teardownPlugin) {
            do {
                _ = try await vm.call(.teardownPlugin)
            } catch {
                vm.recordError(error)
            }
        }
        vm.log(.system, .info, "Plugin unloaded (instance ID \(vm.instanceID)).")
    }

    // MARK: setupPlugin and its retries

    private enum SetupAttempt {
        case succeeded
        case retry
        case failed(reason: String)
    }

    private var setupAttempts: Int { configuration.setupRetryDelays.count + 1 }

    private func attemptSetup(of vm: PluginVM, attempt: Int) async -> SetupAttempt {
        do {
            _ = try await vm.call(.setupPlugin)
            return .succeeded
        } catch where error.name == "RetryError" {
            let label = "setupPlugin failed with RetryError (attempt \(attempt)/\(setupAttempts)): \(error.message)"
            guard attempt < setupAttempts else {
                vm.recordError(error)
                return .failed(reason: "\(label). Disabling the plugin after \(setupAttempts) attempts.")
            }
            let delay = configuration.setupRetryDelays[attempt - 1]
            vm.log(.system, .warn, "\(label). Retrying in \(delay.formattedSeconds).")
            return .retry
        } catch {
            vm.recordError(error)
            return .failed(reason: "setupPlugin failed: \(error). Disabling the plugin.")
        }
    }

    /// Retries `setupPlugin` after each delay until it succeeds or the attempts run out.
    private func retrySetup(of pluginConfigID: Int, instanceID: UUID) async {
        for attempt in 2...setupAttempts {
            do {
                try await clock.sleep(for: configuration.setupRetryDelays[attempt - 2])
            } catch {
                return  // cancelled: the VM was unloaded
            }
            guard let vm = vms[pluginConfigID], vm.instanceID == instanceID else { return }
            switch await attemptSetup(of: vm, attempt: attempt) {
            case .succeeded:
                vm.state = .ready
                vm.log(.system, .info, "setupPlugin succeeded on attempt \(attempt)/\(setupAttempts).")
                return
            case .retry:
                continue
            case .failed(let reason):
                vms[pluginConfigID] = nil
                removeFromChain(vm)
                disable(vm, reason: reason)
                return
            }
        }
    }

    private func disable(_ vm: PluginVM, reason: String) {
        vm.state = .disabled(reason: reason)
        vm.log(.system, .error, reason)
        onStatusChange(.disabled(pluginConfigID: vm.definition.id, reason: reason))
    }

    // MARK: Work beside the chain

    /// Runs `onEvent`, `onSnapshot`, `exportEvents` or a job of a loaded config, once the script thread has
    /// run the ingestion chains queued on it.
    ///
    /// - Parameter sent: When the caller sent it: a call sent before the config's latest time-out is
    ///   deferred, so a config that just timed out doesn't run the calls it had waiting, each to the limit.
    func deliver(_ delivery: Delivery, pluginConfigID: Int, sent: ContinuousClock.Instant) async -> DeliveryOutcome {
        await thread.backgroundTurn()
        guard let vm = vms[pluginConfigID] else {
            return .unavailable("plugin config \(pluginConfigID) is not loaded: it is disabled or was removed")
        }
        guard vm.isReady else { return .unavailable("plugin config \(pluginConfigID) is still waiting for setupPlugin") }
        if let timeOut = latestTimeOut[pluginConfigID], timeOut > sent {
            return .deferred("an earlier call of plugin config \(pluginConfigID) timed out while this one waited")
        }
        do throws(ScriptError) {
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
            return .succeeded
        } catch {
            vm.recordError(error)
            if error.kind == .timeout {
                latestTimeOut[pluginConfigID] = .now
                return .timedOut(error.description)
            }
            return error.name == "RetryError" ? .retry(error.description) : .failed(error.description)
        }
    }

    /// The loaded configs' scheduled tasks.
    func scheduledTasks() -> [(pluginConfigID: Int, teamID: Int, tasks: [String])] {
        vms.values.compactMap { vm in
            vm.capabilities.scheduledTasks.isEmpty ? nil : (vm.definition.id, vm.definition.teamID, vm.capabilities.scheduledTasks)
        }
    }

    func exportBuffer(pluginConfigID: Int) -> ExportBufferSettings? {
        vms[pluginConfigID].map { ExportBufferSettings(config: $0.definition.config) }
    }

    // MARK: The chain

    /// Runs a team's chain on each event in turn, in order: one trip to the script thread for them all.
    func processEvents(
        _ inputs: [[UInt8]], teamID: Int, recordingPluginLists: Bool
    ) async -> [Result<ChainResult, MalformedEventError>] {
        var results: [Result<ChainResult, MalformedEventError>] = []
        results.reserveCapacity(inputs.count)
        for input in inputs {
            do {
                results.append(.success(try await processEvent(input, teamID: teamID, recordingPluginLists: recordingPluginLists)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Runs a team's `processEvent` chain on one event (JSON), as DESIGN.md's chain semantics say.
    func processEvent(
        _ input: [UInt8], teamID: Int, recordingPluginLists: Bool
    ) async throws(MalformedEventError) -> ChainResult {
        guard let teamChain = chains[teamID], let first = teamChain.first else { return ChainResult(event: input) }
        let context = first.context
        var event: ScriptValue
        do {
            event = try context.parseJSON(input)
        } catch {
            throw MalformedEventError(description: "event is not valid JSON: \(error.message)")
        }
        guard event.isObject, !event.isArray else { throw MalformedEventError(description: "event is not a JSON object") }
        // A config never gets back an event it captured itself (posthog.capture), so it can't feed itself.
        let origin = (try? event.get("properties").get(pluginCaptureOriginProperty).toNumber()).flatMap { Int(exactly: $0) }
        let chain = teamChain.filter { $0.definition.id != origin }
        if (try? event.get("event").toString()) == "$snapshot" {
            // Snapshots skip processEvent and go to onSnapshot.
            let followUps = chain.filter { $0.has(.onSnapshot) }.map { FollowUp(pluginConfigID: $0.definition.id, kind: .onSnapshot) }
            return ChainResult(event: input, followUps: followUps)
        }
        let teamIDValue = (try? event.get("team_id")) ?? context.undefined

        var result = ChainResult()
        // The event's last good JSON form: what a failing plugin's event is restored from.
        var snapshot = input
        // The last plugin's event is turned into JSON once, after the chain, with the plugin lists: its
        // own snapshot would never be restored from. Until then it counts as succeeded, unchecked.
        let lastProcessor = chain.last { $0.has(.processEvent) }
        var unchecked: PluginVM?
        for vm in chain {
            if vm.hasDeferredWork { result.deferred.append(vm.definition.label) }
            guard vm.has(.processEvent) else { continue }
            vm.statistics.value.eventsIn += 1
            guard vm.isReady else {
                vm.statistics.value.eventsFailed += 1
                result.failed.append(vm.definition.label)
                continue
            }
            do throws(ScriptError) {
                let returned = try await vm.call(.processEvent, [event])
                if returned.isNullish {
                    vm.statistics.value.eventsDropped += 1
                    result.droppedBy = vm.definition.label
                    return result
                }
                guard returned.isObject, !returned.isArray else {
                    throw ScriptError(
                        name: "TypeError",
                        message: "processEvent must return an event object, null or undefined, not \(returned.isArray ? "an array" : (try? returned.toString()) ?? "a primitive")")
                }
                // A changed team_id or an impossible timestamp is undone as a throw is: the event goes on as it was.
                guard (try returned.get("team_id")).isStrictlyEqual(to: teamIDValue) else {
                    throw vm.illegalOperation("Plugin tried to change event.team_id")
                }
                try Self.checkTimestamp(of: returned)
                if vm === lastProcessor {
                    event = returned
                    unchecked = vm
                    vm.statistics.value.eventsSucceeded += 1
                    result.succeeded.append(vm.definition.label)
                    continue
                }
                guard let bytes = try returned.jsonBytes() else { throw Self.noJSONForm }
                event = returned
                snapshot = bytes
                vm.statistics.value.eventsSucceeded += 1
                result.succeeded.append(vm.definition.label)
            } catch {
                vm.statistics.value.eventsFailed += 1
                vm.recordError(error, event: snapshot)
                event = (try? context.parseJSON(snapshot)) ?? event
                result.failed.append(vm.definition.label)
            }
        }
        var output: [UInt8]?
        if let vm = unchecked {
            let recorded = recordingPluginLists && (try? record(result, on: event, in: context)) != nil
            do throws(ScriptError) {
                guard let bytes = try event.jsonBytes() else { throw Self.noJSONForm }
                if recorded || !recordingPluginLists { output = bytes } else { snapshot = bytes }
            } catch {
                // As if the plugin had thrown: the event goes on as it was before it.
                vm.statistics.value.eventsSucceeded -= 1
                vm.statistics.value.eventsFailed += 1
                vm.recordError(error, event: snapshot)
                event = (try? context.parseJSON(snapshot)) ?? event
                result.succeeded.removeLast()
                result.failed.append(vm.definition.label)
            }
        }
        let eventName = (try? event.get("event").toString()) ?? ""
        for vm in chain {
            if vm.has(.onEvent) { result.followUps.append(FollowUp(pluginConfigID: vm.definition.id, kind: .onEvent)) }
            if vm.has(.exportEvents) && !vm.exportIgnoredEvents.contains(eventName) {
                result.followUps.append(FollowUp(pluginConfigID: vm.definition.id, kind: .exportEvents))
            }
        }
        if let output {
            result.event = output
            return result
        }
        if !recordingPluginLists || (result.succeeded.isEmpty && result.failed.isEmpty && result.deferred.isEmpty) {
            result.event = snapshot
            return result
        }
        do {
            try record(result, on: event, in: context)
            result.event = try event.jsonBytes() ?? snapshot
        } catch {
            result.event = snapshot
        }
        return result
    }

    private static let noJSONForm = ScriptError(name: "TypeError", message: "processEvent returned an event that has no JSON form")

    /// A numeric `timestamp` must be milliseconds within the years 0000–9999; strings are read (and warned
    /// about) by ingestion, as a client's are.
    private static func checkTimestamp(of event: ScriptValue) throws(ScriptError) {
        let timestamp = try event.get("timestamp")
        guard timestamp.isNumber else { return }
        let milliseconds = try timestamp.toNumber()
        guard Timestamp(millisecondsSince1970: milliseconds) == nil else { return }
        throw ScriptError(
            name: "RangeError",
            message: "processEvent returned an event whose timestamp \(milliseconds) is not a time in the years 0000–9999")
    }

    /// Sets `$plugins_succeeded`, `$plugins_failed` and `$plugins_deferred` on the event's properties.
    private func record(_ result: ChainResult, on event: ScriptValue, in context: ScriptContext) throws(ScriptError) {
        var properties = try event.get("properties")
        if !properties.isObject || properties.isArray {
            properties = context.object()
            try event.set("properties", properties)
        }
        try properties.set("$plugins_succeeded", context.array(result.succeeded.map(context.string)))
        try properties.set("$plugins_failed", context.array(result.failed.map(context.string)))
        try properties.set("$plugins_deferred", context.array(result.deferred.map(context.string)))
    }
}

/// Services of a VM that only has its exports looked at: nothing it could reach is kept.
private enum PluginServicesForInspection {
    static let services = PluginHostServices(
        cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: MemoryPluginLogStore(capacity: 0))
}
