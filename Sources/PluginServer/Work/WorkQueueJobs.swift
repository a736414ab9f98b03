import Foundation
import PluginRuntime
import OrderedJSON
import Storage

/// `meta.jobs` on the durable work queue: a job survives restarts and runs once its time comes,
/// by the queue's clock. Each config's queued jobs and each job's payload are bounded (``JobLimits``).
struct WorkQueueJobs: PluginJobQueue {
    let store: any WorkQueueStore
    let clock: any WorkClock
    let wakeup: WakeupSignal
    var limits = JobLimits()

    func enqueueJob(pluginConfigID: Int, teamID: Int, type: String, payload: [UInt8], time: JobTime) async throws {
        let size = type.utf8.count + payload.count
        guard size <= limits.maximumPayloadBytes else {
            throw JobQueueError(
                description: "meta.jobs: job '\(type.prefix(100))' and its payload are \(groupedDigits(size)) bytes of JSON, over the "
                    + "limit of \(groupedDigits(limits.maximumPayloadBytes)) (QUILL_JOB_MAX_PAYLOAD_BYTES)")
        }
        let runAt: Date =
            switch time {
            case .after(let milliseconds): clock.now.addingTimeInterval(milliseconds / 1000)
            case .at(let date): date
            }
        let json = (try? JSONValue.parse(payload)) ?? .object(JSONObject())
        let item = NewWorkItem(
            kind: .job, pluginConfigID: pluginConfigID, teamID: teamID, payload: JobPayload.make(type: type, payload: json),
            runAt: runAt)
        guard try await store.enqueue(item, ifFewerThan: limits.maximumQueuedPerConfig) else {
            throw JobQueueError(
                description: "meta.jobs: plugin config \(pluginConfigID) already has \(groupedDigits(limits.maximumQueuedPerConfig)) "
                    + "jobs waiting, the limit (QUILL_JOBS_MAX_QUEUED): job '\(type.prefix(100))' was not queued")
        }
        wakeup.signal()
    }
}

/// Bounds on `meta.jobs`, per plugin config.
public struct JobLimits: Sendable, Equatable {
    /// `QUILL_JOBS_MAX_QUEUED`: jobs a config may have waiting or running in the durable queue.
    public var maximumQueuedPerConfig = 10_000
    /// `QUILL_JOB_MAX_PAYLOAD_BYTES`: the largest job: its name and payload as JSON.
    public var maximumPayloadBytes = 1 << 20

    public init() {}
}

struct JobQueueError: Error, CustomStringConvertible {
    var description: String
}
