import Foundation
import Synchronization

/// What `quill plugin run` has a loaded config do after its chain, each on one trip to a script thread.
public enum PluginRunStep: Sendable, Equatable {
    /// Events that came through the chain (JSON): for each in turn, `onEvent`, `composeWebhook` and the
    /// export buffer, those of them in `functions` that the plugin has.
    case events([[UInt8]], functions: Set<PluginMethod>)
    /// `exportEvents` on what the export buffer holds.
    case flushExports
    /// `runEveryMinute`, `runEveryHour` or `runEveryDay`; skipped with a message when the plugin lacks it.
    case scheduledTask(String)
    /// Queues the job `name` with `payload` (JSON) to run now.
    case job(name: String, payload: [UInt8])
    /// Runs the jobs queued so far (by `setupPlugin`).
    case queuedJobs
    /// Waits for the operations the plugin started and didn't await, running the jobs they queue, until none is
    /// pending and no job is queued.
    case settle
}

/// The state of one `quill plugin run`: its job queue on virtual time and its export buffer.
///
/// `meta.jobs` puts jobs here (it is the VM's ``PluginJobQueue``); they run right after the plugin call
/// that queued them returns, earliest due first, and nothing waits for them to be due: the queue's clock
/// jumps to each job's time.
public final class PluginRunSession: PluginJobQueue, Sendable {
    /// Events `exportEvents` gets at once, but for the last call.
    public let exportBatchSize: Int
    /// `onEvent` after a `RetryError`: this many more attempts.
    public let onEventRetries = 5
    /// `exportEvents` after a `RetryError`: this many more attempts.
    public let exportEventsRetries = 3

    struct QueuedJob {
        var pluginConfigID: Int
        var name: String
        var payload: [UInt8]
        var due: Date
        var sequence: Int
    }

    private struct State {
        var jobs: [QueuedJob] = []
        var sequence = 0
        var now = Date()
        var exportBuffer: [[UInt8]] = []
    }

    private let state = Mutex(State())

    public init(exportBatchSize: Int = 100) {
        self.exportBatchSize = max(1, exportBatchSize)
    }

    public func enqueueJob(pluginConfigID: Int, teamID: Int, type: String, payload: [UInt8], time: JobTime) async throws {
        enqueue(pluginConfigID: pluginConfigID, name: type, payload: payload, time: time)
    }

    func enqueue(pluginConfigID: Int, name: String, payload: [UInt8], time: JobTime) {
        state.withLock { state in
            state.now = max(state.now, Date())
            let due =
                switch time {
                case .after(let milliseconds): state.now.addingTimeInterval(milliseconds / 1000)
                case .at(let date): date
                }
            state.sequence += 1
            state.jobs.append(QueuedJob(pluginConfigID: pluginConfigID, name: name, payload: payload, due: due, sequence: state.sequence))
        }
    }

    /// The queued job due first (the first queued among equals), taken off the queue; the clock moves to its time.
    var hasQueuedJobs: Bool { state.withLock { !$0.jobs.isEmpty } }

    func nextJob() -> QueuedJob? {
        state.withLock { state in
            guard let index = state.jobs.indices.min(by: { state.jobs[$0].due < state.jobs[$1].due || (state.jobs[$0].due == state.jobs[$1].due && state.jobs[$0].sequence < state.jobs[$1].sequence) }) else { return nil }
            let job = state.jobs.remove(at: index)
            state.now = max(state.now, job.due)
            return job
        }
    }

    /// Adds an event to the export buffer; returns the buffer's events when that filled it.
    func buffer(export event: [UInt8]) -> [[UInt8]]? {
        state.withLock { state in
            state.exportBuffer.append(event)
            guard state.exportBuffer.count >= exportBatchSize else { return nil }
            defer { state.exportBuffer = [] }
            return state.exportBuffer
        }
    }

    /// The export buffer's events, emptying it.
    func takeExportBuffer() -> [[UInt8]] {
        state.withLock { state in
            defer { state.exportBuffer = [] }
            return state.exportBuffer
        }
    }
}
