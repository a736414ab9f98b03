import Foundation
import Hummingbird
import OrderedJSON
import PluginRuntime
@testable import PluginServer
import QuillTestSupport
import Storage
import StorageSQLite
import Synchronization
import Testing

/// Webhooks are sent politely: a `Retry-After` is waited out for the whole config, and a config's concurrency
/// and rate limit hold. Times are those the destination on 127.0.0.1 recorded, on the real clock.
@Suite struct PoliteDeliveryTests {
    /// A destination that answers its first request with `firstStatus` and `Retry-After`, then 200, recording
    /// when each request arrived, when it answered, and the uuid each delivered.
    final class RecordingDestination: Sendable {
        struct Request {
            var arrived: Date
            var answered: Date
            var status: Int
            var uuid: String
        }

        private let requests = Mutex<[Request]>([])
        private let server = Mutex<LocalHTTPServer?>(nil)
        let firstStatus: Int
        let retryAfter: String

        init(firstStatus: Int, retryAfter: String) {
            self.firstStatus = firstStatus
            self.retryAfter = retryAfter
        }

        var url: String { "\(server.withLock { $0?.baseURL ?? "" })/hook" }
        var recorded: [Request] { requests.withLock { $0 } }

        func start() async throws {
            let router = Router()
            router.post("hook") { [self] request, _ in
                let arrived = Date()
                let body = try await request.body.collect(upTo: 1_000_000)
                let uuid = (try? JSONValue.parse(Array(buffer: body)))?.arrayValue?.first?.stringValue ?? ""
                return requests.withLock { requests in
                    let status = requests.isEmpty ? firstStatus : 200
                    requests.append(Request(arrived: arrived, answered: Date(), status: status, uuid: uuid))
                    var response = Response(status: HTTPResponse.Status(code: status))
                    if status != 200 { response.headers[.retryAfter] = retryAfter }
                    return response
                }
            }
            let started = try await LocalHTTPServer.start(router)
            server.withLock { $0 = started }
        }

        func stop() {
            server.withLock { $0?.stop() }
        }
    }

    static let webhook = """
        export function composeWebhook(event, { config }) {
          return { url: config.url, body: JSON.stringify([event.uuid]) }
        }
        """

    static func harness(_ destination: RecordingDestination, config: [String: String]) async throws -> WorkQueueTests.Harness {
        var queue = WorkQueueService.Configuration()
        queue.pollInterval = .milliseconds(100)
        return try await WorkQueueTests.Harness(
            plugin: Self.webhook, config: config.merging(["url": destination.url]) { $1 },
            fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"), queueConfiguration: queue, workClock: SystemWorkClock())
    }

    @Test(arguments: [429, 503])
    func aRetryAfterHoldsBackEveryWebhookOfTheConfig(status: Int) async throws {
        let destination = RecordingDestination(firstStatus: status, retryAfter: "2")
        try await destination.start()
        defer { destination.stop() }
        let harness = try await Self.harness(destination, config: ["deliveryConcurrency": "1"])
        try await harness.enqueue(.composeWebhook, WorkQueueTests.events(3))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        try await eventually("every webhook delivered") { try await harness.store.counts().isEmpty }
        let requests = destination.recorded
        #expect(requests.count == 4, "three webhooks, one of them twice")
        let refused = try #require(requests.first)
        #expect(refused.status == status)
        for later in requests.dropFirst() {
            #expect(later.arrived >= refused.answered.addingTimeInterval(2), "no call before the 2 s of Retry-After")
        }
        #expect(Set(requests.filter { $0.status == 200 }.map(\.uuid)) == Set((0..<3).map { "event-\($0)" }))
    }

    @Test func aRateLimitSpacesTheWebhooks() async throws {
        let destination = RecordingDestination(firstStatus: 200, retryAfter: "")
        try await destination.start()
        defer { destination.stop() }
        let harness = try await Self.harness(destination, config: ["deliveryRequestsPerSecond": "10", "deliveryConcurrency": "1"])
        try await harness.enqueue(.composeWebhook, WorkQueueTests.events(6))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        try await eventually("every webhook delivered") { try await harness.store.counts().isEmpty }
        let requests = destination.recorded
        #expect(requests.count == 6)
        // One request goes in each tenth of a second, so the six are sent over half a second; unlimited, they
        // arrive within milliseconds. The first arrival may come late by a connection's set-up, hence 0.4.
        #expect(requests.last!.arrived.timeIntervalSince(requests.first!.arrived) >= 0.4)
    }

    @Test func retryAfterIsSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(DeliveryThrottle.retryAfter("2", now: now) == now.addingTimeInterval(2))
        #expect(DeliveryThrottle.retryAfter("Fri, 15 Jan 2027 08:00:05 GMT", now: now) == Date(timeIntervalSince1970: 1_800_000_005))
        #expect(DeliveryThrottle.retryAfter("soon", now: now) == nil)
        #expect(DeliveryThrottle.retryAfter("99999999", now: now) == now.addingTimeInterval(86_400), "at most a day")
    }

    @Test func deliverySettingsComeFromTheConfigWithinBounds() {
        #expect(DeliverySettings.defaults == DeliverySettings(config: [:]))
        #expect(DeliverySettings.defaults.concurrency == nil && DeliverySettings.defaults.requestsPerSecond == nil)
        let settings = DeliverySettings(config: ["deliveryConcurrency": "0", "deliveryRequestsPerSecond": "1e9"])
        #expect(settings.concurrency == 1)
        #expect(settings.requestsPerSecond == 10_000)
        #expect(DeliverySettings(config: ["deliveryRequestsPerSecond": "nan"]).requestsPerSecond == nil)
    }
}
