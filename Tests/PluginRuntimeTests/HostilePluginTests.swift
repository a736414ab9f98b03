import Foundation
import PluginRuntime
import Storage
import Testing

/// A hostile plugin fails only its own call; the process survives and the VM's next call works.
@Suite struct HostilePluginTests {
    /// Each plugin misbehaves on events named `attack` and behaves otherwise.
    @Test(arguments: [
        "while (true) {}",
        "while (1) i++",
        "do {} while (true)",
        "for (let j = 0; j < 1; j--) {}",
        "try { for (;;) {} } catch (e) {}",
        "await Promise.resolve().then(() => { while (true) {} })",
        "await new Promise(() => {})",
        "for (let k = 0; k < 5; k++) await new Promise(() => {})",
        "const down = (n) => down(n + 1) + 1; down(0)",
        "require(['f', 's'].join(''))",
        "eval('this is not javascript')",
        "null.property",
    ])
    func hostileCallFailsAloneAndTheNextCallWorks(attack: String) async throws {
        let harness = try PluginHarness(timeLimit: .seconds(1))
        try await harness.load(
            """
            let i = 0
            async function processEvent(event) {
              if (event.event === 'attack') { \(attack) }
              event.properties.fine = true
              return event
            }
            """)
        let (attacked, result) = try await harness.process(sampleEvent("attack"))
        #expect(result.failed == ["test-plugin (39)"])
        #expect((attacked?["properties"] as? [String: Any])?["fine"] == nil)
        let (after, afterResult) = try await harness.process(sampleEvent("calm"))
        if await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)?.name == "TimeoutError" {
            // A time-out pauses the config (10 s at first): events pass it as failed meanwhile.
            #expect(afterResult.failed == ["test-plugin (39)"], "a paused config is passed as failed")
            #expect((after?["properties"] as? [String: Any])?["fine"] == nil)
            #expect(harness.messages(source: .system).contains {
                $0 == "processEvent timed out 1 time in a row; pausing this plugin for 10 seconds: events pass it as failed meanwhile"
            })
        } else {
            #expect((after?["properties"] as? [String: Any])?["fine"] as? Bool == true)
        }
    }

    @Test func aPausedProcessEventIsTriedOnceWhenThePauseEndsAndResumesWhenItReturnsInTime() async throws {
        let harness = try PluginHarness(
            timeLimit: .seconds(1), processEventBreaker: TimeOutBreakers.Settings(firstPause: .milliseconds(500)))
        try await harness.load(
            """
            function processEvent(event) {
              if (event.event === 'attack') { while (true) {} }
              event.properties.fine = true
              return event
            }
            """)
        #expect(try await harness.process(sampleEvent("attack")).result.failed == ["test-plugin (39)"])
        try await Task.sleep(for: .milliseconds(700))
        let (after, result) = try await harness.process(sampleEvent("calm"))
        #expect(result.succeeded == ["test-plugin (39)"])
        #expect((after?["properties"] as? [String: Any])?["fine"] as? Bool == true)
        #expect(harness.messages(source: .system).contains("processEvent returned in time again; resuming this plugin"))
    }

    @Test func syncTimeoutNamesThePluginAndFunction() async throws {
        let harness = try PluginHarness(timeLimit: .seconds(1))
        try await harness.load("function processEvent(event) { while (true) {} }", name: "spinner")
        _ = try await harness.process(sampleEvent())
        let lastError = try #require(await harness.runtime.lastError(pluginConfigID: 39, teamID: 2))
        #expect(lastError.name == "TimeoutError")
        #expect(lastError.message == "Script execution timed out after 1 second in processEvent of plugin 'spinner' (config 39)")
    }

    @Test func runtimeRequireOfAnUnprovidedModuleNamesIt() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { const name = 'child_process'; require(name); return event }")
        _ = try await harness.process(sampleEvent())
        let lastError = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(lastError?.message == "Cannot import 'child_process'! This package is not provided by Quill.")
    }

    @Test func importingAnUnprovidedModuleIsRefusedAtCompileTime() async throws {
        await #expect(throws: PluginCompileError.self) {
            try await PluginHarness.compile("const fs = require('fs')\nfunction processEvent(e) { return e }")
        }
    }

    @Test func aBadPluginDoesNotTouchAnotherTeam() async throws {
        let harness = try PluginHarness(timeLimit: .seconds(1), workerCount: 2)
        try await harness.load("function processEvent(event) { while (true) {} }", id: 1, teamID: 2)
        try await harness.load("function processEvent(event) { event.properties.ok = true; return event }", id: 2, teamID: 3)
        var other = sampleEvent()
        other["team_id"] = 3
        async let attacked = harness.process(sampleEvent(), teamID: 2)
        let (event, _) = try await harness.process(other, teamID: 3)
        #expect((event?["properties"] as? [String: Any])?["ok"] as? Bool == true)
        #expect(try await attacked.result.failed == ["test-plugin (1)"])
    }
}
