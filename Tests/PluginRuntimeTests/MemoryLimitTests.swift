import Foundation
import PluginRuntime
import Storage
import Testing

/// A plugin call that takes more memory than its limit is stopped during the call, its VM is thrown away
/// and made again, and a config that keeps doing it is disabled. (That the memory goes back to the system
/// is checked on a server of its own, in HostilePluginServerTests: this process runs other tests meanwhile.)
@Suite(.serialized) struct MemoryLimitTests {
    static let limit = 64 * 1_048_576

    static let bomb = """
        export async function setupPlugin({ global }) { global.setups = (global.setups ?? 0) + 1 }
        export async function processEvent(event, { cache }) {
          const hoard = []
          if (event.event === 'sync bomb') { while (true) hoard.push(new Array(1e6).fill(1)) }
          if (event.event === 'async bomb') {
            while (true) { hoard.push(new Array(1e6).fill(1)); await cache.get('anything') }
          }
          event.properties.fine = true
          return event
        }
        """

    @Test(arguments: ["sync bomb", "async bomb"])
    func aCallPastTheLimitIsStoppedAndTheNextCallGetsANewVM(attack: String) async throws {
        let harness = try PluginHarness(memoryLimit: Self.limit)
        try await harness.load(Self.bomb)
        let started = ContinuousClock.now
        let (attacked, result) = try await harness.process(sampleEvent(attack))
        #expect(ContinuousClock.now - started < .seconds(20), "stopped during the call, well before the time limit")
        #expect(result.failed == ["test-plugin (39)"])
        #expect((attacked?["properties"] as? [String: Any])?["fine"] == nil)
        let lastError = try #require(await harness.runtime.lastError(pluginConfigID: 39, teamID: 2))
        #expect(lastError.name == "MemoryLimitError")
        #expect(lastError.message.contains("more than 64 MiB"))
        #expect(harness.messages(source: .system).contains { $0.hasPrefix("Plugin stopped: it took more than 64 MiB of memory.") })

        let (after, afterResult) = try await harness.process(sampleEvent("calm"))
        #expect(afterResult.succeeded == ["test-plugin (39)"])
        #expect((after?["properties"] as? [String: Any])?["fine"] as? Bool == true)
    }

    @Test func threeBreachesWithinAnHourDisableTheConfig() async throws {
        let harness = try PluginHarness(memoryLimit: Self.limit)
        try await harness.load(Self.bomb)
        for _ in 1...3 { _ = try await harness.process(sampleEvent("sync bomb")) }
        try await waitUntil { !harness.statusChanges.all.isEmpty }
        guard case .disabled(39, let reason)? = harness.statusChanges.all.first else {
            Issue.record("expected config 39 to be disabled, got \(harness.statusChanges.all)")
            return
        }
        #expect(reason == "The plugin took more than 64 MiB of memory 3 times within 3600 seconds. Disabling the plugin.")
        #expect(await harness.runtime.isReady(pluginConfigID: 39, teamID: 2) == false)
        let (event, result) = try await harness.process(sampleEvent("calm"))
        #expect(result.failed.isEmpty && result.succeeded.isEmpty, "a disabled config is out of the chain")
        #expect((event?["properties"] as? [String: Any])?["fine"] == nil)
    }

    @Test func aPluginThatStaysUnderTheLimitIsUntouched() async throws {
        let harness = try PluginHarness(memoryLimit: Self.limit)
        try await harness.load(
            """
            export function processEvent(event) {
              // 16 MB made and dropped a hundred times: far more fresh memory than the limit, never held.
              for (let round = 0; round < 100; round++) { const big = new Array(2e6).fill(round); event.properties.last = big[0] }
              return event
            }
            """)
        let (event, result) = try await harness.process(sampleEvent("heavy"))
        #expect(result.succeeded == ["test-plugin (39)"])
        #expect((event?["properties"] as? [String: Any])?["last"] as? Int == 99)
    }
}
