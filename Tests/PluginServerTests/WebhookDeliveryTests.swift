import Foundation
import OrderedJSON
import PluginRuntime
@testable import PluginServer
import Storage
import StorageSQLite
import Testing

/// `composeWebhook` in the server: the webhook a plugin composes is sent by Quill through the durable work
/// queue, to a real HTTP server on 127.0.0.1, with onEvent's retries, dead letters and replay.
@Suite struct WebhookDeliveryTests {
    static let webhook = """
        export function composeWebhook(event, { config }) {
          if (event.event === 'skip') return null
          return { url: config.url, body: JSON.stringify([event.uuid]) }
        }
        """

    static func harness(_ destination: FakeDestination) async throws -> WorkQueueTests.Harness {
        try await WorkQueueTests.Harness(
            plugin: Self.webhook, config: ["url": destination.url], fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"))
    }

    /// The queue running on `events`, for a plugin whose webhooks go to a started `destination` answering `status`.
    static func running(
        _ events: [JSONValue], to destination: FakeDestination, answering status: Int
    ) async throws -> (WorkQueueTests.Harness, Task<Void, any Error>) {
        try await destination.start()
        destination.setStatus(status)
        let harness = try await Self.harness(destination)
        try await harness.enqueue(.composeWebhook, events)
        return (harness, Task { try await harness.service.run() })
    }

    @Test func aConfigWhosePluginComposesWebhooksGetsEachProcessedEvent() async throws {
        let destination = FakeDestination()
        let harness = try await Self.harness(destination)
        let result = try await harness.runtime.processEvent(Array(#"{"event":"x","team_id":1,"properties":{}}"#.utf8), teamID: 1)
        #expect(result.followUps.map(\.kind) == [.composeWebhook])
        #expect(await harness.runtime.capabilities(pluginConfigID: 1, teamID: 1)?.methods.contains("composeWebhook") == true)
    }

    @Test func aDestinationAnswering500ForAWhileGetsEachEventOnce() async throws {
        let destination = FakeDestination()
        defer { destination.stop() }
        let (harness, running) = try await Self.running(WorkQueueTests.events(5), to: destination, answering: 500)
        defer { running.cancel() }

        try await harness.waitForRetries(.composeWebhook, attempts: 1)
        #expect(destination.requests == 5)
        harness.advance(by: 5)
        try await harness.waitForRetries(.composeWebhook, attempts: 2)
        #expect(destination.requests == 10, "each webhook tried again after 5 s")
        destination.setStatus(200)
        harness.advance(by: 10)
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        #expect(destination.requests == 15)
        #expect(destination.received.sorted() == (0..<5).map { "event-\($0)" })
    }

    @Test func aWebhookThatNeverGetsThroughIsADeadLetterAndReplaysOnce() async throws {
        let destination = FakeDestination()
        defer { destination.stop() }
        let (harness, running) = try await Self.running([["event": "signed up", "uuid": "only-one", "properties": [:]]], to: destination, answering: 503)
        defer { running.cancel() }

        for (attempts, wait) in zip(1..., [5.0, 10, 20, 40, 80]) {
            try await harness.waitForRetries(.composeWebhook, attempts: attempts)
            harness.advance(by: wait)
        }
        try await eventually("the dead letter") { try await !harness.store.deadLetters(pluginConfigID: 1).isEmpty }
        #expect(destination.requests == 6)
        #expect(try await harness.store.deadLetters(pluginConfigID: 1).first?.lastError?.contains("was answered 503") == true)

        destination.setStatus(200)
        #expect(try await harness.store.replay(pluginConfigID: 1, ids: nil, now: harness.clock.now) == 1)
        harness.service.notify()
        try await eventually("the replayed webhook") { try await harness.store.counts().isEmpty }
        #expect(destination.received == ["only-one"])
    }

    @Test func aRefusalIsADeadLetterAtOnceAndNoWebhookIsNothingToSend() async throws {
        let destination = FakeDestination()
        defer { destination.stop() }
        let (harness, running) = try await Self.running([["event": "skip", "uuid": "skipped", "properties": [:]], ["event": "x", "uuid": "refused", "properties": [:]]], to: destination, answering: 400)
        defer { running.cancel() }

        try await eventually("the dead letter") { try await harness.store.deadLetters(pluginConfigID: 1).count == 1 }
        try await eventually("no other work") { try await harness.store.queuedItems(pluginConfigID: 1).filter { $0.status == .pending }.isEmpty }
        #expect(destination.requests == 1)
        #expect(try await harness.store.deadLetters(pluginConfigID: 1).first?.lastError?.contains("was refused: 400") == true)
    }

    @Test func theFetchGuardAppliesToWebhooks() async throws {
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        // The default policy refuses loopback addresses.
        let harness = try await WorkQueueTests.Harness(plugin: Self.webhook, config: ["url": destination.url])
        try await harness.enqueue(.composeWebhook, WorkQueueTests.events(1))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }
        try await harness.waitForRetries(.composeWebhook, attempts: 1)
        #expect(destination.requests == 0)
    }
}
