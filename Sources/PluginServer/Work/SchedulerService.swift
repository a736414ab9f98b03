import Foundation
import Logging
import PluginRuntime
import ServiceLifecycle
import Storage

/// Fires `runEveryMinute`, `runEveryHour` and `runEveryDay` at the boundaries (UTC).
///
/// Each boundary of a config's task is claimed in the database, so it runs once across server
/// instances; a boundary that comes while the task's previous run is still going is recorded as
/// skipped, so runs of one task never overlap (PostHog's debouncing).
final class SchedulerService: Service {
    private let store: any ScheduleStore
    private let runtime: PluginRuntime
    private let clock: any WorkClock
    private let logger: Logger
    private let ready: @Sendable () async -> Void
    /// A run still marked running after this long belongs to a crashed instance.
    private let staleAfter: TimeInterval
    private let tick: Duration

    static let intervals: [String: TimeInterval] = ["runEveryMinute": 60, "runEveryHour": 3_600, "runEveryDay": 86_400]

    init(
        store: any ScheduleStore, runtime: PluginRuntime, clock: any WorkClock = SystemWorkClock(), logger: Logger,
        staleAfter: TimeInterval = 3_600, tick: Duration = .seconds(1), ready: @escaping @Sendable () async -> Void
    ) {
        self.store = store
        self.runtime = runtime
        self.clock = clock
        self.logger = logger
        self.staleAfter = staleAfter
        self.tick = tick
        self.ready = ready
    }

    func run() async throws {
        await ready()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                for claimed in await claimDueRuns() {
                    group.addTask { await self.run(claimed) }
                }
                try? await clock.sleep(for: tick)
            }
        }
    }

    private struct Claim: Sendable {
        var pluginConfigID: Int
        var teamID: Int
        var task: String
        var boundary: Date
    }

    /// Claims the current boundary of every loaded task; returns the runs this instance should start.
    private func claimDueRuns() async -> [Claim] {
        let now = clock.now
        var claims: [Claim] = []
        for config in await runtime.scheduledTasks() {
            for task in config.tasks {
                guard let interval = Self.intervals[task] else { continue }
                let boundary = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / interval).rounded(.down) * interval)
                do {
                    let outcome = try await store.claim(
                        pluginConfigID: config.pluginConfigID, task: task, boundary: boundary, now: now,
                        staleBefore: now.addingTimeInterval(-staleAfter))
                    if outcome == .running {
                        claims.append(Claim(pluginConfigID: config.pluginConfigID, teamID: config.teamID, task: task, boundary: boundary))
                    }
                } catch {
                    logger.error("Could not claim a scheduled run", metadata: ["plugin_config.id": "\(config.pluginConfigID)"])
                }
            }
        }
        return claims
    }

    private func run(_ claim: Claim) async {
        let outcome = await runtime.deliver(.scheduledTask(claim.task), pluginConfigID: claim.pluginConfigID, teamID: claim.teamID)
        let (result, error): (ScheduledRun.Outcome, String?) =
            switch outcome {
            case .succeeded: (.succeeded, nil)
            case .retry(let message), .failed(let message), .timedOut(let message), .unavailable(let message),
                .deferred(let message), .waitingForSetup(let message):
                (.failed, message)
            }
        do {
            try await store.finish(
                pluginConfigID: claim.pluginConfigID, task: claim.task, boundary: claim.boundary, at: clock.now, outcome: result,
                error: error)
        } catch {
            logger.error("Could not record a scheduled run", metadata: ["plugin_config.id": "\(claim.pluginConfigID)"])
        }
    }
}
