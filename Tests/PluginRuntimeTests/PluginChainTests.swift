import Foundation
import PluginRuntime
import Storage
import Testing

/// The team chain (DESIGN.md "Chain"; reference §3 cases 39–40, 42–45, 47, 64, 66–67).
@Suite struct PluginChainTests {
    @Test func successListsThePluginAsSucceeded() async throws {
        let harness = try PluginHarness()
        let outcome = try await harness.load("function processEvent(event) { event.properties.processed = true; return event }")
        #expect(outcome == .ready(PluginCapabilities(methods: ["processEvent"], scheduledTasks: [], jobs: [])))
        let (event, result) = try await harness.process(sampleEvent())
        let properties = try #require(event?["properties"] as? [String: Any])
        #expect(properties["processed"] as? Bool == true)
        #expect(properties["$plugins_succeeded"] as? [String] == ["test-plugin (39)"])
        #expect(properties["$plugins_failed"] as? [String] == [])
        #expect(properties["$plugins_deferred"] as? [String] == [])
        #expect(result.succeeded == ["test-plugin (39)"])
    }

    @Test func onEventOnlyPluginIsDeferred() async throws {
        let harness = try PluginHarness()
        try await harness.load("export function onEvent(event) {}")
        let (event, _) = try await harness.process(sampleEvent())
        let properties = try #require(event?["properties"] as? [String: Any])
        #expect(properties["$plugins_deferred"] as? [String] == ["test-plugin (39)"])
        #expect(properties["$plugins_succeeded"] as? [String] == [])
    }

    @Test func nullDropsTheEventAndStopsTheChain() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { return null }", id: 1, order: 1)
        try await harness.load("function processEvent(event) { throw new Error('must not run') }", id: 2, order: 2)
        let (event, result) = try await harness.process(sampleEvent())
        #expect(event == nil)
        #expect(result.droppedBy == "test-plugin (1)")
        #expect(await harness.runtime.lastError(pluginConfigID: 2, teamID: 2) == nil)
    }

    @Test func throwingPluginLeavesTheEventAsItWasAndTheChainGoesOn() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            "function processEvent(event) { event.properties.first = true; return event }", id: 1, name: "first", order: 1)
        try await harness.load(
            """
            function processEvent(event) {
              event.properties.half_done = true
              event.event = 'mangled'
              throw new Error('error thrown in plugin')
            }
            """, id: 2, name: "thrower", order: 2)
        try await harness.load(
            "function processEvent(event) { event.properties.third = true; return event }", id: 3, name: "third", order: 3)
        let (event, result) = try await harness.process(sampleEvent())
        let properties = try #require(event?["properties"] as? [String: Any])
        #expect(event?["event"] as? String == "$pageview")
        #expect(properties["half_done"] == nil)
        #expect(properties["first"] as? Bool == true && properties["third"] as? Bool == true)
        #expect(properties["$plugins_failed"] as? [String] == ["thrower (2)"])
        #expect(properties["$plugins_succeeded"] as? [String] == ["first (1)", "third (3)"])
        #expect(result.failed == ["thrower (2)"])

        let lastError = try #require(await harness.runtime.lastError(pluginConfigID: 2, teamID: 2))
        #expect(lastError.message == "error thrown in plugin")
        #expect(lastError.event?.contains(#""first":true"#) == true)
        #expect(harness.messages(pluginConfigID: 2, source: .plugin) == ["Error: error thrown in plugin"])
    }

    /// The last plugin's event is checked for a JSON form only when the chain's output is made; a middle
    /// plugin's at once. Either way the plugin failed and the event goes on as it was before it.
    @Test(arguments: [true, false]) func eventWithoutJSONFormCountsAsAFailure(lastInChain: Bool) async throws {
        let harness = try PluginHarness()
        try await harness.load(
            "function processEvent(event) { event.properties.first = true; return event }", id: 1, name: "first", order: 1)
        try await harness.load(
            "function processEvent(event) { event.properties.big = 10n; return event }", id: 2, name: "bigint", order: 2)
        if !lastInChain {
            try await harness.load(
                "function processEvent(event) { event.properties.third = true; return event }", id: 3, name: "third", order: 3)
        }
        let (event, result) = try await harness.process(sampleEvent())
        let properties = try #require(event?["properties"] as? [String: Any])
        #expect(properties["big"] == nil)
        #expect(properties["first"] as? Bool == true)
        #expect(properties["$plugins_failed"] as? [String] == ["bigint (2)"])
        #expect(properties["$plugins_succeeded"] as? [String] == (lastInChain ? ["first (1)"] : ["first (1)", "third (3)"]))
        #expect(result.failed == ["bigint (2)"])
        let statistics = try #require(await harness.runtime.statistics(pluginConfigID: 2, teamID: 2))
        #expect(statistics.eventsFailed == 1 && statistics.eventsSucceeded == 0)
        let lastError = try #require(await harness.runtime.lastError(pluginConfigID: 2, teamID: 2))
        #expect(lastError.event?.contains(#""first":true"#) == true)
    }

    /// However a middle plugin fails after changing the event everywhere, what comes out, and what the
    /// plugin after it sees, is byte for byte what a chain without it gives.
    @Test(arguments: [
        "throw new Error('late throw')",
        "while (true) {}",
        "return Promise.reject(new Error('late rejection'))",
        "event.team_id = 7; return event",
        "event.properties.big = 10n; return event",
        "return [event]",
    ])
    func failingPluginLeavesTheEventExactlyAsItWas(failure: String) async throws {
        let first = """
            function processEvent(event) {
              const odd = JSON.parse('{"__proto__": {"polluted": true}, "2": "two", "1": "one"}')
              Object.assign(event.properties, {
                odd, nested: { deep: { deeper: [1, { leaf: 'é😀' }], gone: undefined } }, list: [undefined, NaN, () => 1, -0],
                when: new Date(Date.UTC(2026, 0, 2)), custom: { toJSON: () => 'as JSON' }, map: new Map([[1, 2]]),
              })
              event.event = 'renamed'
              return event
            }
            """
        let middle = """
            function processEvent(event) {
              event.properties.nested.deep.deeper[1].leaf = 'changed'
              event.properties.nested.deep.deeper.push('more')
              event.properties.odd['2'] = 'changed'
              delete event.properties.list
              event.properties.when = 'changed'
              event.event = 'changed'
              event.distinct_id = 'changed'
              \(failure)
            }
            """
        let last = "function processEvent(event) { event.properties.seen_by_last = JSON.stringify(event); return event }"
        func output(withMiddle: Bool) async throws -> String {
            let harness = try PluginHarness(timeLimit: .seconds(1))
            try await harness.load(first, id: 1, name: "first", order: 1)
            if withMiddle { try await harness.load(middle, id: 2, name: "middle", order: 2) }
            try await harness.load(last, id: 3, name: "last", order: 3)
            let input = #"{"event":"$pageview","distinct_id":"007","team_id":2,"properties":{"kept":"as sent"},"uuid":"u"}"#
            let result = try await harness.runtime.processEvent(Array(input.utf8), teamID: 2)
            #expect(result.failed == (withMiddle ? ["middle (2)"] : []))
            let json = String(decoding: try #require(result.event), as: UTF8.self)
            return json.replacing(/,"\$plugins_succeeded":.*\]/, with: "")
        }
        let withFailure = try await output(withMiddle: true)
        #expect(withFailure == (try await output(withMiddle: false)))
        #expect(withFailure.contains(#""leaf":"é😀""#) && withFailure.contains(#""__proto__":{"polluted":true}"#))
    }

    @Test func changingTeamIDIsUndoneWithTheRestOfThePluginsEditsAsAThrowIs() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { event.team_id = 400; event.properties.kept = 1; return event }")
        let (event, _) = try await harness.process(sampleEvent())
        let properties = try #require(event?["properties"] as? [String: Any])
        #expect(event?["team_id"] as? Int == 2)
        #expect(properties["kept"] == nil)
        #expect(properties["$plugins_failed"] as? [String] == ["test-plugin (39)"])
        let lastError = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(lastError?.name == "IllegalOperationError")
        #expect(lastError?.message == "Plugin tried to change event.team_id")
    }

    @Test func chainRunsInAscendingOrderStably() async throws {
        let harness = try PluginHarness()
        for (id, order) in [(60, 2), (61, 1), (62, 3)] {
            try await harness.load(
                "function processEvent(event) { event.properties.trail = (event.properties.trail || []).concat(\(id)); return event }",
                id: id, order: order)
        }
        for _ in 0..<3 {
            let trail = (try await harness.process(sampleEvent()).event?["properties"] as? [String: Any])?["trail"] as? [Int]
            #expect(trail == [61, 60, 62])
        }
    }

    @Test func reloadingAConfigReplacesItsVMInPlace() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(e) { e.properties.v = 1; return e }", id: 1, order: 1)
        try await harness.load("function processEvent(e) { e.properties.w = e.properties.v; return e }", id: 2, order: 2)
        try await harness.load("function processEvent(e) { e.properties.v = 2; return e }", id: 1, order: 1)
        let properties = try await harness.process(sampleEvent()).event?["properties"] as? [String: Any]
        #expect(properties?["w"] as? Int == 2)
        #expect(properties?["$plugins_succeeded"] as? [String] == ["test-plugin (1)", "test-plugin (2)"])
    }

    /// posthog-js's `$snapshot` and PostHog's newer `$snapshot_items` batch alike.
    @Test(arguments: [("$snapshot", "$snapshot_data"), ("$snapshot_items", "$snapshot_items")])
    func recordingEventsSkipProcessEventAndGoToOnSnapshot(name: String, dataKey: String) async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { event.properties.touched = true; return event }", id: 1, order: 1)
        try await harness.load("function processEvent(event) { return event }\nfunction onSnapshot(event) {}", id: 2, order: 2)
        var snapshot = sampleEvent(name, properties: [dataKey: [["type": 2]], "$session_id": "s1"])
        snapshot["uuid"] = "x"
        let input = try JSONSerialization.data(withJSONObject: snapshot)
        let result = try await harness.runtime.processEvent(Array(input), teamID: 2)
        #expect(result.event == Array(input))
        #expect(result.followUps.map(\.pluginConfigID) == [2] && result.followUps.map(\.kind) == [.onSnapshot])
    }

    @Test func teamWithoutPluginsGetsItsEventBackByteForByte() async throws {
        let harness = try PluginHarness()
        let input = Array(#"{"event":"x","properties":{"b":1.0,"a":"ü"}}"#.utf8)
        let result = try await harness.runtime.processEvent(input, teamID: 77)
        #expect(result.event == input)
    }

    @Test func syntaxErrorDisablesTheConfigAndEventsPassUntouched() async throws {
        let harness = try PluginHarness()
        let code = CompiledPlugin(code: "function processEvent(event) { return event")
        let outcome = await harness.runtime.load(
            PluginConfigDefinition(id: 39, teamID: 2, pluginID: 60, pluginName: "broken", code: code))
        guard case .disabled(let reason) = outcome else {
            Issue.record("expected disabled, got \(outcome)")
            return
        }
        #expect(reason.contains("SyntaxError"))
        #expect(harness.statusChanges.all == [.disabled(pluginConfigID: 39, reason: reason)])
        let (event, _) = try await harness.process(sampleEvent())
        #expect(event?["properties"] as? [String: String] == [:])
    }

    @Test func errorsInUnawaitedPromisesDoNotLoseTheEvent() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function processEvent(event) {
              Promise.reject(new Error('rejected and forgotten'))
              ;(async () => { throw new Error('thrown and forgotten') })()
              event.properties.done = true
              return event
            }
            """)
        for _ in 0..<4 {
            let (event, _) = try await harness.process(sampleEvent())
            #expect((event?["properties"] as? [String: Any])?["done"] as? Bool == true)
        }
    }

    @Test func timedOutProcessEventLeavesTheEventWithoutItsChanges() async throws {
        let harness = try PluginHarness(timeLimit: .seconds(1))
        try await harness.load(
            """
            async function processEvent(event) {
              event.properties.changed = true
              await new Promise(() => {})
              return event
            }
            """)
        let (event, result) = try await harness.process(sampleEvent())
        #expect((event?["properties"] as? [String: Any])?["changed"] == nil)
        #expect(result.failed == ["test-plugin (39)"])
        let lastError = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(lastError?.name == "TimeoutError")
        #expect(lastError?.message.contains("processEvent of plugin 'test-plugin' (config 39)") == true)
    }

    /// A lane's events go through the chain in one entry into JavaScript: a plugin stopped at its time limit
    /// on one of them leaves that event as it was, passes the lane's later events as failed without running
    /// (its breaker paused it), and the events before and the other plugins are not touched.
    @Test func aPluginStoppedInTheMiddleOfALaneLeavesTheRestOfTheLaneWhole() async throws {
        let harness = try PluginHarness(timeLimit: .seconds(1))
        try await harness.load(
            """
            function processEvent(event) {
              event.properties.looper = event.event
              if (event.event === 'loop') while (true) {}
              return event
            }
            """, id: 1, name: "looper", order: 1)
        try await harness.load(
            "function processEvent(event) { event.properties.second = event.event; return event }", id: 2, name: "second", order: 2)
        let inputs = try ["before", "loop", "after"].map { Array(try JSONSerialization.data(withJSONObject: sampleEvent($0))) }
        let results = try await harness.runtime.processEvents(inputs, teamID: 2).map { try $0.get() }
        let properties = try results.map { result in
            let event = try JSONSerialization.jsonObject(with: Data(result.event ?? [])) as? [String: Any]
            return event?["properties"] as? [String: Any]
        }
        #expect(properties[0]?["looper"] as? String == "before" && properties[0]?["second"] as? String == "before")
        #expect(results[0].succeeded == ["looper (1)", "second (2)"])
        for index in [1, 2] {
            #expect(properties[index]?["looper"] == nil)
            #expect(properties[index]?["second"] as? String == ["before", "loop", "after"][index])
            #expect(results[index].failed == ["looper (1)"] && results[index].succeeded == ["second (2)"])
        }
        let lastError = await harness.runtime.lastError(pluginConfigID: 1, teamID: 2)
        #expect(lastError?.name == "TimeoutError")
        #expect(lastError?.event?.contains(#""event":"loop""#) == true)
        let statistics = try #require(await harness.runtime.statistics(pluginConfigID: 1, teamID: 2))
        #expect(statistics.eventsIn == 3 && statistics.eventsSucceeded == 1 && statistics.eventsFailed == 2)
        #expect(statistics.functions["processEvent"]?.calls == 2 && statistics.functions["processEvent"]?.timeouts == 1)
    }

    /// An async plugin's promise is taken from the driver when it settled within the entry (no await of the
    /// host), and waited for by the host when it awaits host work (the cache); rejections are the plugin's errors.
    @Test func asyncPluginsSettleWithinTheLaneOrAfterWaitingForTheHost() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            async function processEvent(event, { cache }) {
              if (event.event === 'reject') throw new TypeError('async failure')
              if (event.event === 'cached') {
                await cache.set('seen', 'from the cache')
                event.properties.cached = await cache.get('seen')
              }
              event.properties.async = true
              return event
            }
            """)
        let inputs = try ["plain", "reject", "cached"].map { Array(try JSONSerialization.data(withJSONObject: sampleEvent($0))) }
        let results = try await harness.runtime.processEvents(inputs, teamID: 2).map { try $0.get() }
        let properties = try results.map { result in
            (try JSONSerialization.jsonObject(with: Data(result.event ?? [])) as? [String: Any])?["properties"] as? [String: Any]
        }
        #expect(properties[0]?["async"] as? Bool == true)
        #expect(properties[1]?["async"] == nil && results[1].failed == ["test-plugin (39)"])
        #expect(properties[2]?["cached"] as? String == "from the cache" && properties[2]?["async"] as? Bool == true)
        let lastError = await harness.runtime.lastError(pluginConfigID: 39, teamID: 2)
        #expect(lastError?.name == "TypeError" && lastError?.message == "async failure")
        let statistics = try #require(await harness.runtime.statistics(pluginConfigID: 39, teamID: 2))
        #expect(statistics.functions["processEvent"]?.calls == 3 && statistics.functions["processEvent"]?.errors == 1)
    }

    /// An event that isn't UTF-8 can't go into a lane's text: the lane's events then go one by one, and only
    /// that one fails.
    @Test func anEventThatIsNotUTF8FailsAloneInItsLane() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { event.properties.seen = true; return event }")
        var inputs = try ["first", "broken", "third"].map { Array(try JSONSerialization.data(withJSONObject: sampleEvent($0))) }
        inputs[1] += [0xFF, 0xFE]
        let results = await harness.runtime.processEvents(inputs, teamID: 2)
        for index in [0, 2] {
            let event = try JSONSerialization.jsonObject(with: Data(try results[index].get().event ?? [])) as? [String: Any]
            #expect((event?["properties"] as? [String: Any])?["seen"] as? Bool == true)
        }
        #expect(throws: MalformedEventError.self) { try results[1].get() }
    }

    @Test func returningSomethingOtherThanAnEventIsAFailure() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { return 'not an event' }")
        let (event, result) = try await harness.process(sampleEvent())
        #expect(event?["event"] as? String == "$pageview")
        #expect(result.failed == ["test-plugin (39)"])
    }

    @Test func statisticsCountEventsAndCalls() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function setupPlugin() {}
            function processEvent(event) {
              if (event.event === 'drop') return null
              if (event.event === 'fail') throw new Error('failing')
              return event
            }
            """)
        for name in ["keep", "drop", "fail", "keep"] { _ = try await harness.process(sampleEvent(name)) }
        let statistics = try #require(await harness.runtime.statistics(pluginConfigID: 39, teamID: 2))
        #expect(statistics.eventsIn == 4)
        #expect(statistics.eventsSucceeded == 2)
        #expect(statistics.eventsDropped == 1)
        #expect(statistics.eventsFailed == 1)
        #expect(statistics.functions["processEvent"]?.calls == 4)
        #expect(statistics.functions["processEvent"]?.errors == 1)
        #expect(statistics.functions["setupPlugin"]?.calls == 1)
        #expect(statistics.seconds > 0)
    }

    @Test func malformedInputIsRejected() async throws {
        let harness = try PluginHarness()
        try await harness.load("function processEvent(event) { return event }")
        await #expect(throws: MalformedEventError.self) {
            try await harness.runtime.processEvent(Array("[1, 2]".utf8), teamID: 2)
        }
        await #expect(throws: MalformedEventError.self) {
            try await harness.runtime.processEvent(Array("{nope".utf8), teamID: 2)
        }
    }
}
