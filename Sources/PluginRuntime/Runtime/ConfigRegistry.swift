import Foundation
import Storage
import Synchronization

/// A loaded plugin config as every script thread sees it: a config may have a VM on each thread,
/// and what concerns the config, not one VM, lives here.
struct LoadedConfig: Sendable {
    enum State: Sendable, Equatable {
        case ready
        /// `setupPlugin` threw `RetryError`; the config is skipped until a retry succeeds.
        case retryingSetup
    }

    let definition: PluginConfigDefinition
    let generation: Int
    let instanceID: UUID
    let capabilities: PluginCapabilities
    var state: State

    var id: Int { definition.id }

    func has(_ method: PluginMethod) -> Bool { capabilities.methods.contains(method.rawValue) }

    /// Whether the chain lists this config in `$plugins_deferred`.
    var hasDeferredWork: Bool { PluginMethod.deferred.contains { has($0) } }

    /// `exportEventsToIgnore`: event names kept out of the export buffer.
    var exportIgnoredEvents: Set<String> {
        Set(
            (definition.config["exportEventsToIgnore"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty })
    }
}

/// Whether a config's `processEvent` may run for one event now.
enum ProcessEventAdmission: Equatable {
    case run
    /// Paused after time-outs, or its one trial call after a pause is still running: the event passes it as failed.
    case paused
}

/// The loaded configs, their teams' chains, and what is known of each across threads: the last error, the
/// `processEvent` time-out breaker, memory-limit breaches. Every worker reads and writes it.
final class ConfigRegistry: Sendable {
    private struct State {
        var configs: [Int: LoadedConfig] = [:]
        /// Each team's config ids in chain order.
        var chains: [Int: [Int]] = [:]
        var generations: [Int: Int] = [:]
        var lastErrors: [Int: PluginErrorRecord] = [:]
        var breakers: TimeOutBreakers
        /// Events in `processEvent` now, per config, for the breaker's one-at-a-time trials.
        var processEventsInFlight: [Int: Int] = [:]
        /// When each config's call last ran out of time.
        var latestTimeOut: [Int: ContinuousClock.Instant] = [:]
        var memoryBreaches: [Int: [ContinuousClock.Instant]] = [:]
        /// The threads that have a VM of each config.
        var vmLocations: [Int: Set<Int>] = [:]
        /// The generation of each config whose `setupPlugin` has succeeded on some thread.
        var setUpGenerations: [Int: Int] = [:]
    }

    private let state: Mutex<State>

    init(breakerSettings: TimeOutBreakers.Settings) {
        state = Mutex(State(breakers: TimeOutBreakers(settings: breakerSettings)))
    }

    /// A new generation for a load of the config: later than any before.
    func nextGeneration(of id: Int) -> Int {
        state.withLock { state in
            let next = state.generations[id, default: 0] + 1
            state.generations[id] = next
            return next
        }
    }

    /// Installs a config (or its newer generation) in its team's chain. An older generation than the one
    /// installed is ignored: a slower load lost the race to a newer one.
    /// - Returns: whether it was installed.
    @discardableResult
    func install(_ config: LoadedConfig) -> Bool {
        state.withLock { state in
            if let current = state.configs[config.id], current.generation > config.generation { return false }
            let team = config.definition.teamID
            state.configs[config.id] = config
            var chain = (state.chains[team] ?? []).filter { $0 != config.id }
            chain.append(config.id)
            // Stable across runs: by order, then by config id.
            chain.sort { (state.configs[$0]!.definition.order, $0) < (state.configs[$1]!.definition.order, $1) }
            state.chains[team] = chain
            return true
        }
    }

    /// Removes the config from its chain; `nil` when it wasn't loaded.
    @discardableResult
    func remove(_ id: Int) -> LoadedConfig? {
        state.withLock { state in
            guard let config = state.configs.removeValue(forKey: id) else { return nil }
            let team = config.definition.teamID
            state.chains[team]?.removeAll { $0 == id }
            if state.chains[team]?.isEmpty == true { state.chains[team] = nil }
            state.processEventsInFlight[id] = nil
            state.setUpGenerations[id] = nil
            return config
        }
    }

    func config(_ id: Int) -> LoadedConfig? {
        state.withLock { $0.configs[id] }
    }

    var all: [LoadedConfig] {
        state.withLock { Array($0.configs.values) }
    }

    /// The team's configs in chain order.
    func chain(ofTeam teamID: Int) -> [LoadedConfig] {
        state.withLock { state in (state.chains[teamID] ?? []).compactMap { state.configs[$0] } }
    }

    /// Sets the state of the config's `generation`; nothing if a newer one replaced it.
    func setState(_ newState: LoadedConfig.State, of id: Int, generation: Int) {
        state.withLock { state in
            guard state.configs[id]?.generation == generation else { return }
            state.configs[id]?.state = newState
        }
    }

    /// Notes that `setupPlugin` of the config's `generation` succeeded.
    func noteSetUp(of id: Int, generation: Int) {
        state.withLock { $0.setUpGenerations[id] = max($0.setUpGenerations[id] ?? 0, generation) }
    }

    /// Whether `setupPlugin` of the config's `generation` has succeeded before, on any thread.
    func hasBeenSetUp(_ id: Int, generation: Int) -> Bool {
        state.withLock { $0.setUpGenerations[id] == generation }
    }

    func recordError(_ error: PluginErrorRecord, of id: Int) {
        state.withLock { $0.lastErrors[id] = error }
    }

    func lastError(of id: Int) -> PluginErrorRecord? {
        state.withLock { $0.lastErrors[id] }
    }

    // MARK: Where the VMs are

    func noteVM(of id: Int, onWorker worker: Int, present: Bool) {
        state.withLock { state in
            if present {
                state.vmLocations[id, default: []].insert(worker)
            } else {
                state.vmLocations[id]?.remove(worker)
                if state.vmLocations[id]?.isEmpty == true { state.vmLocations[id] = nil }
            }
        }
    }

    /// The threads that have a VM of the config.
    func workersWithVM(of id: Int) -> Set<Int> {
        state.withLock { $0.vmLocations[id] ?? [] }
    }

    /// How many VMs the threads have, of all configs.
    var vmCount: Int {
        state.withLock { $0.vmLocations.values.reduce(0) { $0 + $1.count } }
    }

    // MARK: processEvent time-outs

    /// Whether the config's `processEvent` may run now; `.run` counts the call in flight until `finishProcessEvent`.
    func admitProcessEvent(of id: Int, now: Date) -> ProcessEventAdmission {
        state.withLock { state in
            guard !state.breakers.excluded(now: now, inFlight: state.processEventsInFlight).contains(id) else { return .paused }
            state.processEventsInFlight[id, default: 0] += 1
            return .run
        }
    }

    /// Ends a call `admitProcessEvent` let through; returns what its outcome changed, for the config's log.
    func finishProcessEvent(of id: Int, timedOut: Bool, now: Date) -> TimeOutBreakers.Transition? {
        state.withLock { state in
            state.processEventsInFlight[id, default: 1] -= 1
            if timedOut { state.latestTimeOut[id] = .now }
            return state.breakers.record(timedOut: timedOut, pluginConfigID: id, now: now)
        }
    }

    /// Ends an admission whose config ran no call after all (the lane's events were dropped or excluded before
    /// it): no outcome for its breaker.
    func releaseProcessEvent(of id: Int) {
        state.withLock { $0.processEventsInFlight[id, default: 1] -= 1 }
    }

    // MARK: Background calls

    func recordTimeOut(of id: Int) {
        state.withLock { $0.latestTimeOut[id] = .now }
    }

    /// Whether one of the config's calls ran out of time after `instant`.
    func timedOut(_ id: Int, after instant: ContinuousClock.Instant) -> Bool {
        state.withLock { $0.latestTimeOut[id].map { $0 > instant } ?? false }
    }

    // MARK: Memory

    /// Counts a breach of the memory limit; returns how many the config had within `window`, this one included.
    func recordMemoryBreach(of id: Int, within window: Duration) -> Int {
        state.withLock { state in
            let now = ContinuousClock.now
            var breaches = state.memoryBreaches[id, default: []].filter { now - $0 < window }
            breaches.append(now)
            state.memoryBreaches[id] = breaches
            return breaches.count
        }
    }
}
