import EventIngestion
import Foundation
import OrderedJSON
import PluginRuntime
import Storage
import Synchronization

/// `posthog.capture` from plugins: the event goes into its project's ingestion log like any
/// captured event, marked with the capturing config, which never gets it back.
///
/// Each config may capture a burst of `burst` events and `perSecond` a second after that, so a
/// loop through two plugins stays bounded.
struct PipelineCapture: PluginEventCapture {
    let projects: any ProjectStore
    let writer: GroupCommitter<IngestionRecord>
    let limiter: CaptureRateLimiter

    func capture(pluginConfigID: Int, teamID: Int, pluginID: Int, event: String, properties: [UInt8]) async throws {
        guard limiter.take(pluginConfigID: pluginConfigID) else {
            throw CaptureError(description: "posthog.capture: plugin config \(pluginConfigID) captured too many events; slow down")
        }
        guard case .object(var values) = try JSONValue.parse(properties) else {
            throw CaptureError(description: "posthog.capture: the properties must be an object")
        }
        guard let project = try await projects.project(id: teamID) else {
            throw CaptureError(description: "posthog.capture: project \(teamID) no longer exists")
        }
        let distinctID = values["distinct_id"] ?? .string("plugin-id-\(pluginID)")
        let timestamp = values.removeValue(forKey: "timestamp")
        values["$lib"] = "posthog-plugin-server"
        values["distinct_id"] = distinctID
        values[pluginCaptureOriginProperty] = JSONValue(pluginConfigID)
        var object = JSONObject([("event", .string(event)), ("distinct_id", distinctID), ("properties", .object(values))])
        if let timestamp { object["timestamp"] = timestamp }
        let origin = CaptureOrigin(ip: nil, siteURL: "", now: .now, isEngage: false)
        switch EventPreparation.prepare(.object(object), index: 0, project: project, origin: origin, sentAt: nil) {
        case .success(let record): try await writer.submit([record])
        case .failure(let rejection): throw CaptureError(description: "posthog.capture: \(rejection.reason)")
        }
    }
}

struct CaptureError: Error, CustomStringConvertible {
    var description: String
}

/// A token bucket per plugin config.
final class CaptureRateLimiter: Sendable {
    private let burst: Double
    private let perSecond: Double
    private let buckets = Mutex<[Int: (tokens: Double, updated: ContinuousClock.Instant)]>([:])

    init(burst: Int = 1_000, perSecond: Int = 100) {
        self.burst = Double(burst)
        self.perSecond = Double(perSecond)
    }

    func take(pluginConfigID: Int) -> Bool {
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = buckets[pluginConfigID] ?? (burst, now)
            let elapsed = now - bucket.updated
            bucket.tokens = min(burst, bucket.tokens + perSecond * elapsed.seconds)
            bucket.updated = now
            defer { buckets[pluginConfigID] = bucket }
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
