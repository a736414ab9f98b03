public import Foundation

/// One boundary of a scheduled task (`runEveryMinute/Hour/Day`) of a config, and how it went.
public struct ScheduledRun: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case running
        case succeeded
        case failed
        /// The previous run of the task was still going: runs never overlap.
        case skipped
    }

    public var pluginConfigID: Int
    public var task: String
    /// The minute, hour or day the run belongs to.
    public var boundary: Date
    public var startedAt: Date
    public var finishedAt: Date?
    public var outcome: Outcome
    public var error: String?

    public init(
        pluginConfigID: Int, task: String, boundary: Date, startedAt: Date, finishedAt: Date?, outcome: Outcome, error: String?
    ) {
        self.pluginConfigID = pluginConfigID
        self.task = task
        self.boundary = boundary
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
    }
}

/// Claims of scheduled runs, shared by every server instance of one database.
public protocol ScheduleStore: Sendable {
    /// Claims the task's run for `boundary`: `.running` when this caller should run it, `.skipped`
    /// when a run of the same task started after `staleBefore` hasn't finished, `nil` when another
    /// caller claimed the boundary already.
    func claim(pluginConfigID: Int, task: String, boundary: Date, now: Date, staleBefore: Date) async throws
        -> ScheduledRun.Outcome?
    func finish(pluginConfigID: Int, task: String, boundary: Date, at: Date, outcome: ScheduledRun.Outcome, error: String?)
        async throws
    /// The config's runs, newest first.
    func runs(pluginConfigID: Int, limit: Int) async throws -> [ScheduledRun]
}
