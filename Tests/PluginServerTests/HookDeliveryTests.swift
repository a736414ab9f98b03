import Foundation
import Logging
import OrderedJSON
import PluginRuntime
@testable import PluginServer
import QuillTestSupport
import Storage
import StorageSQLite
import Testing

/// Action webhook and REST hook deliveries on the durable work queue, by its hand-moved clock, to a real HTTP
/// server on 127.0.0.1: composed webhooks' retries and dead letters, and a REST hook's 410 Gone.
@Suite struct HookDeliveryTests {
    struct Harness {
        let folder: TemporaryFolder
        let database: SQLiteDatabase
        let store: SQLiteWorkQueueStore
        let hooks: SQLiteHookStore
        let clock = ManualWorkClock()
        let service: WorkQueueService
        let teamID: Int

        init(fetchPolicy: FetchPolicy) async throws {
            folder = try TemporaryFolder()
            database = try SQLiteDatabase(path: folder.url.appending(path: "quill.sqlite").path)
            store = SQLiteWorkQueueStore(database: database)
            hooks = SQLiteHookStore(database: database)
            let project = try await SQLiteProjectStore(database: database).bootstrap(
                projectAPIToken: "phc_hooks", personalAPIKeyHash: "hash", personalAPIKeyMask: "phx_…")
            teamID = try #require(project).id
            let runtime = PluginRuntime(
                configuration: PluginRuntimeConfiguration(workerCount: 1),
                services: PluginHostServices(
                    cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: MemoryPluginLogStore(),
                    fetchPolicy: fetchPolicy))
            service = WorkQueueService(
                store: store, runtime: runtime, clock: clock, logger: Logger(label: "test"), hooks: HookDeliveries(store: hooks),
                ready: {})
        }

        func webhook(to url: String, service: ActionWebhook.Service = .discord) async throws -> ActionWebhook {
            try await hooks.createActionWebhook(
                teamID: teamID,
                settings: ActionWebhook.Settings(
                    name: "Sign-ups", enabled: true, event: "signed up", propertyFilters: "[]", service: service, url: url,
                    messageFormat: "[person] did [event.name]"))
        }

        func enqueue(_ kind: WorkKind, lane: HookLane, uuid: String) async throws {
            let event: JSONValue = [
                "event": "signed up", "distinct_id": "user-1", "uuid": .string(uuid), "timestamp": "2026-12-01T10:00:00.000Z",
                "team_id": JSONValue(teamID), "properties": ["plan": "pro"],
            ]
            try await store.enqueue([
                NewWorkItem(kind: kind, pluginConfigID: lane.workQueueID, teamID: teamID, payload: event.serialized(), runAt: clock.now)
            ])
            service.notify()
        }

        /// Waits until the lane's item is back in the queue after `attempts` failed attempts.
        func waitForRetry(_ lane: HookLane, attempts: Int) async throws {
            try await eventually("the delivery retried \(attempts) times") {
                let items = try await store.queuedItems(pluginConfigID: lane.workQueueID)
                return items.count == 1 && items[0].status == .pending && items[0].attempts == attempts
            }
        }

        func advance(by seconds: TimeInterval) {
            clock.advance(by: seconds)
            service.notify()
        }
    }

    static func running(answering status: Int) async throws -> (Harness, FakeDestination, Task<Void, any Error>) {
        let destination = FakeDestination()
        try await destination.start()
        destination.setStatus(status)
        let harness = try await Harness(fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"))
        return (harness, destination, Task { try await harness.service.run() })
    }

    @Test func aMessageAnswered500IsRetriedAndThenDelivered() async throws {
        let (harness, destination, running) = try await Self.running(answering: 500)
        defer { running.cancel(); destination.stop() }
        let webhook = try await harness.webhook(to: destination.url)
        let lane = HookLane.actionWebhook(id: webhook.id)
        try await harness.enqueue(.actionWebhook, lane: lane, uuid: "e-1")

        try await harness.waitForRetry(lane, attempts: 1)
        harness.advance(by: 5)
        try await harness.waitForRetry(lane, attempts: 2)
        destination.setStatus(200)
        harness.advance(by: 10)
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        #expect(destination.requests == 3)
        #expect(
            destination.bodies.last == ["content": .string("[user-1](/api/projects/\(harness.teamID)/events/?distinct_id=user%2D1) did signed up")])
    }

    @Test func aMessageThatNeverGetsThroughIsADeadLetterTheAPIReplays() async throws {
        let (harness, destination, running) = try await Self.running(answering: 503)
        defer { running.cancel(); destination.stop() }
        let webhook = try await harness.webhook(to: destination.url, service: .json)
        let lane = HookLane.actionWebhook(id: webhook.id)
        try await harness.enqueue(.actionWebhook, lane: lane, uuid: "e-dead")

        for (attempts, wait) in zip(1..., [5.0, 10, 20, 40, 80]) {
            try await harness.waitForRetry(lane, attempts: attempts)
            harness.advance(by: wait)
        }
        try await eventually("the dead letter") { try await !harness.store.deadLetters(pluginConfigID: lane.workQueueID).isEmpty }
        #expect(destination.requests == 6)
        let letter = try #require(try await harness.store.deadLetters(pluginConfigID: lane.workQueueID).first)
        #expect(letter.kind == .actionWebhook)
        #expect(letter.lastError?.contains("was answered 503") == true)

        destination.setStatus(200)
        #expect(try await harness.store.replay(pluginConfigID: lane.workQueueID, ids: nil, now: harness.clock.now) == 1)
        harness.service.notify()
        try await eventually("the replayed message") { try await harness.store.counts().isEmpty }
        #expect(destination.bodies.last?["event"]?["uuid"] == "e-dead")
    }

    @Test func aRefusedMessageIsADeadLetterAtOnce() async throws {
        let (harness, destination, running) = try await Self.running(answering: 404)
        defer { running.cancel(); destination.stop() }
        let webhook = try await harness.webhook(to: destination.url)
        let lane = HookLane.actionWebhook(id: webhook.id)
        try await harness.enqueue(.actionWebhook, lane: lane, uuid: "e-refused")
        try await eventually("the dead letter") { try await harness.store.deadLetters(pluginConfigID: lane.workQueueID).count == 1 }
        #expect(destination.requests == 1)
    }

    @Test func aRestHookWhoseTargetAnswers410IsUnsubscribed() async throws {
        let (harness, destination, running) = try await Self.running(answering: 410)
        defer { running.cancel(); destination.stop() }
        let hook = try await harness.hooks.createRestHook(teamID: harness.teamID, target: destination.url, event: "signed up", resourceID: nil)
        try await harness.enqueue(.restHook, lane: .restHook(id: hook.id), uuid: "e-gone")
        try await eventually("the hook unsubscribed") { try await harness.hooks.restHooks(teamID: harness.teamID).isEmpty }
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        #expect(destination.requests == 1)
        #expect(
            destination.bodies == [
                [
                    "hook": ["id": JSONValue(hook.id), "event": "signed up", "target": .string(destination.url)],
                    "data": [
                        "uuid": "e-gone", "event": "signed up", "distinct_id": "user-1", "properties": ["plan": "pro"],
                        "timestamp": "2026-12-01T10:00:00.000Z", "team_id": JSONValue(harness.teamID),
                    ],
                ]
            ])
    }

    @Test func aDeliveryOfAWebhookDeletedSinceSendsNothing() async throws {
        let (harness, destination, running) = try await Self.running(answering: 200)
        defer { running.cancel(); destination.stop() }
        let webhook = try await harness.webhook(to: destination.url)
        #expect(try await harness.hooks.deleteActionWebhook(id: webhook.id, teamID: harness.teamID))
        try await harness.enqueue(.actionWebhook, lane: .actionWebhook(id: webhook.id), uuid: "e-deleted")
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        #expect(destination.requests == 0)
    }

    @Test func theFetchGuardAppliesToHooks() async throws {
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        // The default policy refuses loopback addresses: the message waits for a retry, unsent.
        let harness = try await Harness(fetchPolicy: FetchPolicy())
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }
        let webhook = try await harness.webhook(to: destination.url)
        try await harness.enqueue(.actionWebhook, lane: .actionWebhook(id: webhook.id), uuid: "e-guarded")
        try await harness.waitForRetry(.actionWebhook(id: webhook.id), attempts: 1)
        #expect(destination.requests == 0)
    }
}
