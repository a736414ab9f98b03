import Foundation
import PluginRuntime
import Storage
import Synchronization
import Testing

/// `setupPlugin` and its retries (DESIGN.md "Retries"; reference §3 cases 34–38), with the waits
/// taken on a test clock.
@Suite struct PluginLifecycleTests {
    @Test func loadedPluginLogsASystemEntry() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(e) { return e }")
        #expect(harness.messages(source: .system).contains { $0.hasPrefix("Plugin loaded (instance ID ") })
    }

    /// `quill plugin run` shut down twice when processEvent had failed; the second teardown waited forever on
    /// the stopped script thread (a hang of one run in ten).
    @Test func aSecondShutdownReturnsAndTearsNothingDownAgain() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(e) { return e }\nfunction teardownPlugin() { console.log('torn down') }")
        await harness.runtime.shutdown()
        // By then the stopped script thread has surely ended, which is what made the second wait forever.
        try await Task.sleep(for: .milliseconds(200))
        // Not awaited: the bug made it wait forever, and a test must fail, not hang.
        let returned = Mutex(false)
        Task {
            await harness.runtime.shutdown()
            returned.withLock { $0 = true }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while !returned.withLock({ $0 }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(returned.withLock { $0 }, "the second shutdown did not return within a minute")
        #expect(harness.messages(source: .console).filter { $0.contains("torn down") }.count == 1)
    }

    @Test func retryErrorIsRetriedAfter5To80SecondsThenTheConfigIsDisabled() async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load(
            """
            import { RetryError } from '@posthog/plugin-scaffold'
            export async function setupPlugin() { throw new RetryError('destination is down') }
            export function processEvent(e) { e.properties.ran = true; return e }
            """)
        #expect(outcome == .retryingSetup(PluginCapabilities(methods: ["setupPlugin", "processEvent"], scheduledTasks: [], jobs: [])))
        // While setup waits for a retry, the plugin is skipped and listed as failed.
        let (event, _) = try await harness.process(sampleEvent())
        #expect((event?["properties"] as? [String: Any])?["$plugins_failed"] as? [String] == ["test-plugin (39)"])

        try await waitUntil { !harness.statusChanges.all.isEmpty }
        #expect(harness.clock.sleeps == [5, 10, 20, 40, 80].map { .seconds($0) })
        let system = harness.messages(source: .system)
        #expect(system.contains("setupPlugin failed with RetryError (attempt 1/6): destination is down. Retrying in 5 seconds."))
        #expect(system.contains("setupPlugin failed with RetryError (attempt 5/6): destination is down. Retrying in 80 seconds."))
        #expect(system.contains { $0.hasPrefix("setupPlugin failed with RetryError (attempt 6/6)") && $0.contains("Disabling") })
        guard case .disabled(39, let reason)? = harness.statusChanges.all.first else {
            Issue.record("expected config 39 to be disabled")
            return
        }
        #expect(reason.contains("attempt 6/6"))
        #expect(harness.statusChanges.all.count == 1)
        #expect(await harness.runtime.isReady(pluginConfigID: 39, teamID: 2) == false)
    }

    @Test func setupThatSucceedsOnARetryIsNotDisabled() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            export async function setupPlugin({ cache }) {
              const attempts = await cache.incr('attempts')
              if (attempts < 5) throw new RetryError('not yet')
            }
            export function processEvent(e) { e.properties.ran = true; return e }
            """)
        try await waitUntil { await harness.runtime.isReady(pluginConfigID: 39, teamID: 2) }
        #expect(harness.clock.sleeps == [5, 10, 20, 40].map { .seconds($0) })
        #expect(harness.statusChanges.all.isEmpty)
        #expect(harness.messages(source: .system).contains("setupPlugin succeeded on attempt 5/6."))
        let (event, _) = try await harness.process(sampleEvent())
        #expect((event?["properties"] as? [String: Any])?["ran"] as? Bool == true)
    }

    @Test func otherSetupErrorsDisableAtOnce() async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load(
            """
            export function setupPlugin() { throw new Error('bad api key') }
            export function processEvent(e) { e.properties.ran = true; return e }
            """)
        guard case .disabled(let reason) = outcome else {
            Issue.record("expected disabled, got \(outcome)")
            return
        }
        #expect(reason == "setupPlugin failed: Error: bad api key. Disabling the plugin.")
        #expect(harness.clock.sleeps.isEmpty)
        #expect(harness.statusChanges.all == [.disabled(pluginConfigID: 39, reason: reason)])
        let (event, _) = try await harness.process(sampleEvent())
        #expect((event?["properties"] as? [String: Any])?["ran"] == nil)
    }

    @Test func aRetryErrorIsKnownByItsClassNotItsName() async throws {
        let lookAlike = try PluginHarness()
        let outcome = try await lookAlike.load(
            """
            class RetryError extends Error { constructor(m) { super(m); this.name = 'RetryError' } }
            export function setupPlugin() { throw new RetryError('looks like one') }
            export function processEvent(e) { return e }
            """)
        #expect(outcome == .disabled(reason: "setupPlugin failed: RetryError: looks like one. Disabling the plugin."))

        let subclass = try PluginHarness()
        let retried = try await subclass.load(
            """
            import { RetryError } from '@posthog/plugin-scaffold'
            class DestinationDown extends RetryError { constructor() { super('down'); this.name = 'DestinationDown' } }
            export function setupPlugin() { throw new DestinationDown() }
            export function processEvent(e) { return e }
            """)
        #expect(retried == .retryingSetup(PluginCapabilities(methods: ["setupPlugin", "processEvent"], scheduledTasks: [], jobs: [])))
    }

    @Test func retryErrorToStringNamesTheAttempt() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            export function processEvent(e) {
              const error = new RetryError('later')
              error._attempt = 2; error._maxAttempts = 5
              e.properties.text = String(error)
              e.properties.isError = error instanceof Error
              return e
            }
            """)
        let properties = try await harness.process(sampleEvent()).event?["properties"] as? [String: Any]
        #expect(properties?["text"] as? String == "RetryError (attempt 2/5): later")
        #expect(properties?["isError"] as? Bool == true)
    }
}

/// Polls `condition` until it holds (for background work driven by the test clock); fails after 30 s,
/// a bound only a failing test reaches: a loaded machine may be slow, never wrong.
func waitUntil(_ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while !(await condition()) {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within 30 s")
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}
