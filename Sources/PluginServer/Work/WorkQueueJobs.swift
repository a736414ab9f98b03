import Foundation
import PluginRuntime
import OrderedJSON
import Storage

/// `meta.jobs` on the durable work queue: a job survives restarts and runs once its time comes,
/// by the queue's clock.
struct WorkQueueJobs: PluginJobQueue {
    let store: any WorkQueueStore
    let clock: any WorkClock
    let wakeup: WakeupSignal

    func enqueueJob(pluginConfigID: Int, teamID: Int, type: String, payload: [UInt8], time: JobTime) async throws {
        let runAt: Date =
            switch time {
            case .after(let milliseconds): clock.now.addingTimeInterval(milliseconds / 1000)
            case .at(let date): date
            }
        let json = (try? JSONValue.parse(payload)) ?? .object(JSONObject())
        try await store.enqueue([
            NewWorkItem(
                kind: .job, pluginConfigID: pluginConfigID, teamID: teamID, payload: JobPayload.make(type: type, payload: json),
                runAt: runAt)
        ])
        wakeup.signal()
    }
}
