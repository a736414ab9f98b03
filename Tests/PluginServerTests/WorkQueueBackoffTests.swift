import Foundation
import OrderedJSON
import PluginRuntime
@testable import PluginServer
import Storage
import StorageSQLite
import Testing

/// A config whose calls keep timing out is paused, then tried one item at a time, on the injected clock.
@Suite struct WorkQueueBackoffTests {
    /// Spins until the time limit stops it, until `fixed` is set in its storage.
    static let stuck = """
        export async function onEvent(event, { cache, storage }) {
          await cache.incr('tries')
          if (!(await storage.get('fixed', false))) { while (true) {} }
          await cache.lpush('delivered', [event.uuid])
        }
        """
    static let healthy = """
        export async function onEvent(event, { cache }) { await cache.lpush('delivered', [event.uuid]) }
        """

    static func events(_ prefix: String, _ range: Range<Int>) -> [JSONValue] {
        range.map { ["event": "e", "uuid": .string("\(prefix)-\($0)")] }
    }

    @Test func onEventThatKeepsTimingOutIsPausedThenTriedOnceAndResumesWhenFixed() async throws {
        // One item at a time per config, so exactly three time-outs come before the pause (an async
        // onEvent's calls interleave at its awaits, so calls already started would each time out too). The
        // time limit leaves the healthy calls room on a loaded machine (a CI run saw one of them wait over 1 s).
        let harness = try await WorkQueueTests.Harness(
            plugin: Self.stuck,
            runtimeConfiguration: PluginRuntimeConfiguration(workerCount: 2, timeLimit: .seconds(3)),
            queueConfiguration: WorkQueueService.Configuration(
                perConfigConcurrency: 1, timeOutBreakers: TimeOutBreakers.Settings(threshold: 3)))
        try await harness.load(Self.healthy, pluginConfigID: 2)
        try await harness.enqueue(.onEvent, Self.events("stuck", 0..<8))
        try await harness.enqueue(.onEvent, Self.events("other", 0..<5), pluginConfigID: 2)
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        func stuckItems() async throws -> [WorkItem] {
            try await harness.store.queuedItems(pluginConfigID: 1)
        }
        func systemLog(_ level: PluginLogEntry.Level) -> [String] {
            harness.logs.entries(pluginConfigID: 1).filter { $0.source == .system && $0.type == level }.map(\.message)
        }

        try await eventually("the pause") {
            systemLog(.warn) == ["onEvent timed out 3 times in a row; pausing this plugin's deliveries for 10 s"]
        }
        #expect(try await harness.counter("tries") == 3)
        let timedOut = try await harness.store.deadLetters(pluginConfigID: 1)
        #expect(timedOut.count == 3 && timedOut.allSatisfy { $0.attempts == 1 && $0.lastError?.contains("timed out") == true })
        let paused = try await stuckItems()
        #expect(paused.count == 5 && paused.allSatisfy { $0.status == .pending && $0.attempts == 0 }, "untouched while paused")

        // The other config goes on meanwhile.
        try await harness.enqueue(.onEvent, Self.events("other", 5..<10), pluginConfigID: 2)
        try await eventually("the other config's events") { try await harness.delivered(pluginConfigID: 2).count == 10 }
        harness.advance(by: 9)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await harness.counter("tries") == 3, "no try before the pause ends")

        // The pause ends: one item is tried, times out, and the pause doubles.
        harness.advance(by: 1)
        try await eventually("the second pause") { systemLog(.warn).count == 2 }
        #expect(systemLog(.warn).last == "onEvent timed out 4 times in a row; pausing this plugin's deliveries for 20 s")
        #expect(try await harness.counter("tries") == 4, "one item tried")
        #expect(try await stuckItems().allSatisfy { $0.status == .pending && $0.attempts == 0 })
        #expect(try await stuckItems().count == 4)

        try await harness.storage.setValue("true", forKey: "fixed", pluginConfigID: 1)
        harness.advance(by: 19)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await harness.counter("tries") == 4, "no try before the doubled pause ends")
        harness.advance(by: 1)
        try await eventually("the resumed deliveries") { try await stuckItems().isEmpty }
        #expect(systemLog(.info).contains("onEvent returned in time again; resuming this plugin's deliveries"))
        #expect(try await harness.delivered().count == 4)

        // The timed-out items are dead letters; a replay delivers them.
        #expect(try await harness.store.replay(pluginConfigID: 1, ids: nil, now: harness.clock.now) == 4)
        harness.service.notify()
        try await eventually("an empty queue") { try await harness.store.counts().isEmpty }
        #expect(try await harness.delivered().sorted() == Self.events("stuck", 0..<8).compactMap { $0["uuid"]?.stringValue }.sorted())
        #expect(try await harness.counter("tries") == 12, "each item tried once more after the fix")
        #expect(try await harness.delivered(pluginConfigID: 2).sorted() == (0..<10).map { "other-\($0)" }.sorted())
        #expect(systemLog(.warn).count == 2)
    }

    /// A synchronous spinner: the calls it had waiting when one timed out come back untried.
    @Test func callsWaitingBehindATimeOutComeBackUntriedAndTheConfigGoesOneAtATime() async throws {
        let harness = try await WorkQueueTests.Harness(
            plugin: "export function onEvent(event) { while (true) {} }",
            runtimeConfiguration: PluginRuntimeConfiguration(workerCount: 1, timeLimit: .milliseconds(300)),
            queueConfiguration: WorkQueueService.Configuration(
                perConfigConcurrency: 4, timeOutBreakers: TimeOutBreakers.Settings(threshold: 3)))
        try await harness.enqueue(.onEvent, Self.events("stuck", 0..<8))
        let running = Task { try await harness.service.run() }
        defer { running.cancel() }

        try await eventually("the pause") {
            harness.logs.entries(pluginConfigID: 1).contains { $0.message.hasPrefix("onEvent timed out 3 times in a row") }
        }
        let timedOut = try await harness.store.deadLetters(pluginConfigID: 1)
        #expect(timedOut.count == 3, "four were let run at once; only one at a time ran after the first time-out")
        let waiting = try await harness.store.queuedItems(pluginConfigID: 1)
        #expect(waiting.count == 5 && waiting.allSatisfy { $0.status == .pending && $0.attempts == 0 })
    }

    @Test func byDefaultTheFirstTimeOutPauses() {
        var breakers = TimeOutBreakers(settings: TimeOutBreakers.Settings())
        let now = Date(timeIntervalSince1970: 0)
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == .paused(timeOutsInARow: 1, for: .seconds(10)))
    }

    @Test func pauseDoublesUpToTheLongestAndAnyCallThatReturnsInTimeClosesIt() {
        var breakers = TimeOutBreakers(settings: TimeOutBreakers.Settings(threshold: 2, firstPause: .seconds(10), longestPause: .seconds(30)))
        var now = Date(timeIntervalSince1970: 0)
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == nil)
        #expect(breakers.isOneAtATime(7, now: now), "one at a time after a time-out")
        #expect(breakers.excluded(now: now, inFlight: [7: 1]) == [7] && breakers.excluded(now: now, inFlight: [:]).isEmpty)
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == .paused(timeOutsInARow: 2, for: .seconds(10)))
        #expect(!breakers.isOneAtATime(7, now: now), "paused")
        #expect(breakers.excluded(now: now, inFlight: [:]) == [7])
        // An item leased before the pause that times out during it changes nothing.
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == nil)
        now += 10
        #expect(breakers.isOneAtATime(7, now: now))
        #expect(breakers.excluded(now: now, inFlight: [:]).isEmpty)
        #expect(breakers.excluded(now: now, inFlight: [7: 1]) == [7], "one item at a time")
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == .paused(timeOutsInARow: 4, for: .seconds(20)))
        now += 20
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == .paused(timeOutsInARow: 5, for: .seconds(30)))
        now += 30
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == .paused(timeOutsInARow: 6, for: .seconds(30)))
        now += 30
        #expect(breakers.record(timedOut: false, pluginConfigID: 7, now: now) == .resumed)
        #expect(!breakers.isOneAtATime(7, now: now))
        #expect(breakers.record(timedOut: true, pluginConfigID: 7, now: now) == nil, "the count starts again")
        #expect(breakers.record(timedOut: false, pluginConfigID: 7, now: now) == nil)
    }
}
