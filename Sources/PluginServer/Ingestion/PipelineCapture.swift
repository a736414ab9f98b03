import EventIngestion
import Foundation
import OrderedJSON
import PluginRuntime
import Storage
import Synchronization

/// `posthog.capture` from plugins: the event goes into its project's ingestion log like any
/// captured event, marked with the capturing config, which never gets it back.
///
/// Each config may capture a burst of events and then a rate (``CaptureLimits``), so a loop through
/// two plugins stays bounded, and each event's properties are bounded in size.
struct PipelineCapture: PluginEventCapture {
    let projects: any ProjectStore
    let writer: GroupCommitter<IngestionRecord>
    let limiter: CaptureRateLimiter
    let backlog: IngestionBacklog

    func capture(pluginConfigID: Int, teamID: Int, pluginID: Int, event: String, properties: [UInt8]) async throws {
        guard !backlog.isFull else {
            throw CaptureError(description: "posthog.capture: the ingestion log is full (QUILL_MAX_BACKLOG); try again later")
        }
        let size = event.utf8.count + properties.count
        guard size <= limiter.limits.maximumEventBytes else {
            throw CaptureError(
                description: "posthog.capture: the event and its properties are \(groupedDigits(size)) bytes of JSON, over the "
                    + "limit of \(groupedDigits(limiter.limits.maximumEventBytes)) (QUILL_CAPTURE_MAX_EVENT_BYTES)")
        }
        guard limiter.take(pluginConfigID: pluginConfigID) else {
            throw CaptureError(
                description: "posthog.capture: plugin config \(pluginConfigID) captured more than \(groupedDigits(limiter.limits.burst)) "
                    + "events at once and \(groupedDigits(limiter.limits.perSecond)) a second (QUILL_CAPTURE_BURST, "
                    + "QUILL_CAPTURE_RATE); slow down")
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

/// Bounds on `posthog.capture`, per plugin config.
public struct CaptureLimits: Sendable, Equatable {
    /// `QUILL_CAPTURE_BURST`: events a config may capture at once before the rate applies.
    public var burst = 1_000
    /// `QUILL_CAPTURE_RATE`: events a second a config may capture after its burst.
    public var perSecond = 100
    /// `QUILL_CAPTURE_MAX_EVENT_BYTES`: the largest captured event: its name and properties as JSON.
    public var maximumEventBytes = 1 << 20

    public init() {}
}

/// A token bucket per plugin config.
final class CaptureRateLimiter: Sendable {
    let limits: CaptureLimits
    private let buckets = Mutex<[Int: TokenBucket]>([:])

    init(limits: CaptureLimits = CaptureLimits()) {
        self.limits = limits
    }

    func take(pluginConfigID: Int) -> Bool {
        buckets.withLock { buckets in
            buckets[pluginConfigID, default: TokenBucket(burst: limits.burst, perSecond: limits.perSecond)].take()
        }
    }
}
