import EventIngestion
import Foundation
import Logging
import PluginRuntime
import ServiceLifecycle
import Storage
import Synchronization

/// Takes accepted events from the durable log through their team's plugin chain into storage.
///
/// Each team has its own loop, so a slow or broken plugin slows only its own team. A loop takes
/// the team's oldest events in batches; within a batch, events of one `distinct_id` run in the
/// order they were accepted, and different `distinct_id`s run side by side. A batch's outcomes are
/// committed together with the removal of their log entries, so after a crash the loop starts
/// again from what is still in the log, and storage keeps one event per `uuid`.
final class IngestionPipeline: Service {
    struct Configuration: Sendable {
        /// Events a team loop takes from the log at a time.
        var batchSize = 500
        /// Parallel lanes within a batch, by `distinct_id`.
        var lanes = 32
        /// How long shutdown keeps processing what is in the log before leaving the rest for the next start.
        var drainTime: Duration = .seconds(10)
        /// Set when other instances share the log: each team is processed under a lease.
        var sharing: Sharing?
    }

    /// How instances sharing one log take turns: a team's log is processed by the instance holding its lease,
    /// renewed while it works and given up when the log is empty; a dead holder's lease runs out and another
    /// instance takes the team. Every instance looks for teams with events, whichever instance accepted them.
    struct Sharing: Sendable {
        /// This instance, as it holds leases.
        var holder: String
        var leaseDuration: Duration = .seconds(5)
        /// How often the log is read for teams with events another instance accepted.
        var pollInterval: Duration = .milliseconds(250)
    }

    private let store: any IngestionStore
    private let runtime: PluginRuntime
    private let wakeups: TeamWakeups
    private let committer: GroupCommitter<IngestionOutcome>
    private let configuration: Configuration
    private let logger: Logger
    /// Runs before any event is processed: loading the plugin configs, so no event skips its chain.
    private let prepare: @Sendable () async -> Void
    /// Told how many events a team's start moved to the quarantine.
    private let onQuarantine: @Sendable (Int) -> Void
    /// The action webhooks and REST hooks processed events go to.
    private let hooks: HookMatcher?

    init(
        store: any IngestionStore, runtime: PluginRuntime, wakeups: TeamWakeups, configuration: Configuration = Configuration(),
        logger: Logger, hooks: HookMatcher? = nil, prepare: @escaping @Sendable () async -> Void,
        afterCommit: @escaping @Sendable ([IngestionOutcome]) -> Void = { _ in },
        onQuarantine: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.onQuarantine = onQuarantine
        self.hooks = hooks
        self.store = store
        self.runtime = runtime
        self.wakeups = wakeups
        self.configuration = configuration
        self.logger = logger
        self.prepare = prepare
        committer = GroupCommitter { outcomes in
            try await store.commit(outcomes)
            afterCommit(outcomes)
        }
    }

    func run() async throws {
        await prepare()
        let drainDeadline = DrainDeadline()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    // One loop per team: a team can be both pending at start and announced as new.
                    var running: Set<Int> = []
                    for teamID in await self.pendingTeams() where running.insert(teamID).inserted {
                        await self.wakeups.register(teamID)
                        group.addTask { await self.runTeam(teamID, drainDeadline: drainDeadline) }
                    }
                    if let sharing = self.configuration.sharing {
                        group.addTask { await self.pollForTeams(every: sharing.pollInterval) }
                    }
                    for await teamID in self.wakeups.newTeams where running.insert(teamID).inserted {
                        group.addTask { await self.runTeam(teamID, drainDeadline: drainDeadline) }
                    }
                }
            } onGracefulShutdown: {
                drainDeadline.start(after: self.configuration.drainTime)
                Task { await self.wakeups.close() }
            }
        } onCancel: {
            // Cancelled rather than shut down (the server could not start): waiting loops end at once.
            Task { await self.wakeups.close() }
        }
    }

    private func pendingTeams() async -> [Int] {
        // Cancelled (the server failed to start, or stops at once): a retry would come back at once, forever.
        while !Task.isCancelled {
            do {
                return try await store.teamsWithPendingEvents()
            } catch {
                logger.error("Could not read the ingestion log; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return []
    }

    /// A batch's outcomes being committed while the team's next batch goes through the chain.
    private struct PendingCommit {
        let stored: Task<Bool, Never>
        /// Where the loop goes back to if the commit fails: the batch is processed again.
        let cursorBefore: Int64
    }

    /// Wakes the loops of teams whose log has events, including events other instances accepted.
    private func pollForTeams(every interval: Duration) async {
        while await !wakeups.closed && !Task.isCancelled {
            if let teams = try? await store.teamsWithPendingEvents(), !teams.isEmpty {
                await wakeups.notify(teams: teams)
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func runTeam(_ teamID: Int, drainDeadline: DrainDeadline) async {
        guard let sharing = configuration.sharing else {
            await recoverInFlight(teamID: teamID)
            await processTeam(teamID, lease: nil, drainDeadline: drainDeadline)
            return
        }
        while !drainDeadline.hasPassed && !Task.isCancelled {
            var lease: TeamLease?
            do {
                lease = try await store.claimTeam(teamID, holder: sharing.holder, for: sharing.leaseDuration)
            } catch {
                logger.error("Could not claim a team's log", metadata: ["team.id": "\(teamID)", "error": "\(error)"])
            }
            if let lease {
                // Whatever the last holder had in flight when it died counts as a crash, as after a restart.
                await recoverInFlight(teamID: teamID)
                let held = HeldLease(lease, duration: sharing.leaseDuration)
                // Renewed beside the work, so a long batch (slow plugins) keeps the team.
                let renewing = Task { await self.keepRenewing(held) }
                await processTeam(teamID, lease: held, drainDeadline: drainDeadline)
                renewing.cancel()
                await renewing.value
                if let current = held.current { try? await store.releaseTeam(current) }
            }
            // Held elsewhere, or done for now: the poll wakes this loop while the team has events.
            if await wakeups.closed { break }
            await wakeups.wait(for: teamID)
        }
    }

    /// Processes the team's log until it is empty (with a lease) or shutdown (without one, waiting for events).
    private func processTeam(_ teamID: Int, lease: HeldLease?, drainDeadline: DrainDeadline) async {
        var cursor: Int64 = 0
        // A commit (an fsync'd write of 500 events) takes nearly as long as their chain; the next batch
        // runs its chain meanwhile, on the other core. Commits stay in batch order.
        var pending: PendingCommit?
        var marked = false
        while !drainDeadline.hasPassed && !Task.isCancelled {
            let fetched: [IngestionRecord]
            do {
                fetched = try await store.pendingEvents(teamID: teamID, after: cursor, limit: configuration.batchSize)
            } catch {
                logger.error("Could not read the ingestion log", metadata: ["team.id": "\(teamID)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            let records = Self.nextBatch(of: fetched)
            guard let first = records.first?.sequence, let last = records.last?.sequence else {
                if let commit = pending.take() {
                    if await !commit.stored.value {
                        cursor = commit.cursorBefore
                        try? await Task.sleep(for: .seconds(1))
                    }
                    continue
                }
                if marked {
                    // Nothing is in flight while the loop waits: a death now must not count against the last batch.
                    await clearInFlight(teamID: teamID)
                    marked = false
                }
                // With a lease, an empty log ends the turn: the lease is given up for whichever instance gets events.
                if lease != nil { break }
                if await wakeups.closed { break }
                await wakeups.wait(for: teamID)
                continue
            }
            // Outcomes carry the lease they were processed under; without one (lost), nothing more is processed.
            let processingLease = lease?.current
            if lease != nil && processingLease == nil { break }
            do {
                try await store.markInFlight(teamID: teamID, sequences: first...last)
                marked = true
            } catch {
                logger.error("Could not mark events as in flight", metadata: ["team.id": "\(teamID)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            var outcomes = await process(records)
            if let processingLease {
                for index in outcomes.indices { outcomes[index].lease = processingLease }
            }
            if let commit = pending.take(), await !commit.stored.value {
                // The last batch stays in the log; it and this one are processed again from its start.
                cursor = commit.cursorBefore
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            pending = PendingCommit(stored: Task { await self.commit(outcomes, teamID: teamID) }, cursorBefore: cursor)
            cursor = last
        }
        if let commit = pending { _ = await commit.stored.value }
        if marked { await clearInFlight(teamID: teamID) }
    }

    /// Renews the lease every third of its duration until cancelled; stops when another instance has taken the team
    /// (or the database can't say in time), and the loop then stops too: what it processed but didn't commit stays
    /// in the log for the new holder.
    private func keepRenewing(_ lease: HeldLease) async {
        while !Task.isCancelled, let current = lease.current {
            try? await Task.sleep(for: lease.duration / 3)
            if Task.isCancelled { return }
            do {
                // A different token means the lease ran out first (a starved process): what was processed under the
                // old one is refused at commit, so the loop must stop and start again from the log's head, as a
                // new holder would, or it would pass those events by.
                let renewed = try await store.claimTeam(current.teamID, holder: current.holder, for: lease.duration)
                if renewed != current {
                    logger.warning("Lost a team's lease; its log is taken up again from the start", metadata: ["team.id": "\(current.teamID)"])
                    lease.lose()
                }
            } catch {
                logger.error("Could not renew a team's lease", metadata: ["team.id": "\(current.teamID)", "error": "\(error)"])
                lease.lose()
            }
        }
    }

    private func clearInFlight(teamID: Int) async {
        do {
            try await store.clearInFlight(teamID: teamID)
        } catch {
            logger.warning("Could not clear the in-flight mark", metadata: ["team.id": "\(teamID)", "error": "\(error)"])
        }
    }

    /// The events to run through the chain next. An event that was in flight when the process died runs
    /// alone, so a second death names it exactly; the events before it run as a batch.
    static func nextBatch(of records: [IngestionRecord]) -> ArraySlice<IngestionRecord> {
        guard let suspect = records.firstIndex(where: { $0.crashes > 0 }) else { return records[...] }
        return suspect == 0 ? records.prefix(1) : records.prefix(upTo: suspect)
    }

    /// Counts a crash for each event the team had in flight when the process last died, and quarantines
    /// those that were in flight at two deaths: they never run again unless someone replays them.
    private func recoverInFlight(teamID: Int) async {
        while !Task.isCancelled {
            do {
                let quarantined = try await store.recoverInFlight(teamID: teamID, quarantineAfter: Self.quarantineAfterCrashes)
                for event in quarantined {
                    logger.error(
                        "Quarantined an event: the process died twice while processing it. It is listed and can be replayed at /api/projects/\(teamID)/quarantined_events/.",
                        metadata: ["team.id": "\(teamID)", "event.uuid": "\(event.uuid)"])
                }
                onQuarantine(quarantined.count)
                return
            } catch {
                logger.error("Could not recover the events in flight at the last stop; retrying", metadata: ["team.id": "\(teamID)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// An event in flight at this many deaths of the process is quarantined.
    static let quarantineAfterCrashes = 2

    /// Commits a batch's outcomes; false when they could not be stored.
    private func commit(_ outcomes: [IngestionOutcome], teamID: Int) async -> Bool {
        do {
            try await committer.submit(outcomes)
            return true
        } catch {
            // The batch stays in the log and is processed again: storage ignores a uuid it has.
            logger.error("Could not store processed events", metadata: ["team.id": "\(teamID)", "error": "\(error)"])
            return false
        }
    }

    /// Runs a batch through the chain: lanes by `distinct_id`, each lane in log order.
    private func process(_ records: ArraySlice<IngestionRecord>) async -> [IngestionOutcome] {
        var lanes: [[IngestionRecord]] = Array(repeating: [], count: configuration.lanes)
        for record in records {
            lanes[Self.lane(of: record.distinctID, count: configuration.lanes)].append(record)
        }
        return await withTaskGroup(of: [IngestionOutcome].self) { group in
            for lane in lanes where !lane.isEmpty {
                group.addTask { await self.process(lane: lane) }
            }
            var outcomes: [IngestionOutcome] = []
            for await laneOutcomes in group { outcomes.append(contentsOf: laneOutcomes) }
            return outcomes
        }
    }

    /// Runs one lane (one team's events, in log order) through the chain in a single trip to the team's
    /// script thread: a trip per event cost two thread switches each, a quarter of the chain's time.
    private func process(lane: [IngestionRecord]) async -> [IngestionOutcome] {
        guard let teamID = lane.first?.teamID else { return [] }
        let results = await runtime.processEvents(lane.map(\.payload), teamID: teamID)
        let hookRules = await hooks?.rules(teamID: teamID) ?? HookMatcher.Rules()
        return zip(lane, results).map { record, result in
            switch result {
            case .success(let result):
                var followUps = result.followUps.map { followUp in
                    let kind: WorkKind =
                        switch followUp.kind {
                        case .onEvent: .onEvent
                        case .onSnapshot: .onSnapshot
                        case .exportEvents: .exportEvent
                        case .composeWebhook: .composeWebhook
                        }
                    return EventFinalizer.FollowUpWork(pluginConfigID: followUp.pluginConfigID, kind: kind)
                }
                if let event = result.event { followUps += hookRules.work(for: event) }
                return EventFinalizer.outcome(for: record, event: result.event, droppedBy: result.droppedBy, followUps: followUps)
            case .failure(let error):
                // Capture only logs JSON objects, so this is a bug; keep the event as accepted.
                logger.error("Event could not run through the chain", metadata: ["event.uuid": "\(record.uuid)", "error": "\(error)"])
                return EventFinalizer.outcome(for: record, event: record.payload, droppedBy: nil, followUps: [])
            }
        }
    }

    /// A stable lane for a `distinct_id` (FNV-1a), the same in every run.
    static func lane(of distinctID: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in distinctID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }
}

/// When shutdown stops processing: unset until graceful shutdown begins.
private final class DrainDeadline: Sendable {
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    func start(after duration: Duration) {
        deadline.withLock { $0 = .now + duration }
    }

    var hasPassed: Bool {
        deadline.withLock { $0.map { .now >= $0 } ?? false }
    }
}

/// A team's lease as its loop holds it; nothing once it is lost.
private final class HeldLease: Sendable {
    let duration: Duration
    private let lease: Mutex<TeamLease?>

    init(_ lease: TeamLease, duration: Duration) {
        self.duration = duration
        self.lease = Mutex(lease)
    }

    var current: TeamLease? { lease.withLock { $0 } }

    func lose() {
        lease.withLock { $0 = nil }
    }
}
