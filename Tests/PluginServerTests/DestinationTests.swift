import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// onEvent through `quill serve`: after the chain, from the durable queue, with dead letters in the API.
@Suite struct DestinationTests {
    @Test func onEventGetsTheProcessedEventAndFailuresBecomeReplayableDeadLetters() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let pluginID = try await api.installSource([
            "plugin.json": #"{"name": "Forwarder"}"#,
            "index.js": """
                export function processEvent(event) { event.properties.seen = 'by the chain'; return event }
                export async function onEvent(event, { cache }) {
                  if (event.event === 'breaks' && !(await cache.get('fixed', false))) throw new TypeError('cannot forward this')
                  console.log('forwarded', event.event, event.properties.seen, event.uuid, typeof event.timestamp)
                }
                export function setupPlugin() {}
                export const jobs = {
                  fix: async (payload, { cache }) => { await cache.set('fixed', true); console.log('fixed the destination') },
                }
                """,
        ])
        let configID = try await api.configure(["plugin": JSONValue(pluginID), "enabled": true])

        let stored = try await captureAndWait(port: server.port, event: "forward me")
        let uuid = try #require(stored?["id"]?.stringValue)
        let forwarded = try await api.waitForLogs(config: configID, query: "source=CONSOLE&search=forwarded")
        #expect(forwarded.first?["message"]?.stringValue == "forwarded forward me by the chain \(uuid) string")

        _ = try await captureAndWait(port: server.port, event: "breaks")
        var letters: [JSONValue] = []
        try await eventually("the dead letter") {
            letters = try await api.get("/api/projects/@current/plugin_configs/\(configID)/dead_letters/").json?["results"]?.arrayValue ?? []
            return !letters.isEmpty
        }
        #expect(letters.first?["kind"] == "on_event")
        #expect(letters.first?["error"] == "TypeError: cannot forward this")
        #expect(letters.first?["payload"]?["event"] == "breaks")

        // A public-style job fixes the destination; the replay then forwards the event once.
        let run = try await api.send(.post, "/api/projects/@current/plugin_configs/\(configID)/jobs/", json: ["type": "fix"])
        #expect(run.status == 400, "only publicJobs of plugin.json may be run from the API")
        _ = try await api.send(
            .patch, "/api/organizations/@current/plugins/\(pluginID)/source/",
            json: ["plugin.json": #"{"name": "Forwarder", "publicJobs": {"fix": {}}}"#])
        #expect(try await api.send(.post, "/api/projects/@current/plugin_configs/\(configID)/jobs/", json: ["type": "fix"]).status == 202)
        _ = try await api.waitForLogs(config: configID, query: "source=CONSOLE&search=fixed%20the%20destination")
        // A malformed list of ids is refused, not read as "all of them".
        let malformed = try await api.send(
            .post, "/api/projects/@current/plugin_configs/\(configID)/dead_letters/replay/", json: ["ids": ["1": 1]])
        #expect(malformed.status == 400 && malformed.json?["attr"] == "ids", "\(malformed.text)")
        let replayed = try await api.send(.post, "/api/projects/@current/plugin_configs/\(configID)/dead_letters/replay/", json: [:])
        #expect(replayed.json?["replayed"] == 1)
        let breaks = try await api.waitForLogs(config: configID, query: "source=CONSOLE&search=forwarded%20breaks")
        #expect(breaks.count == 1)
        #expect(try await api.get("/api/projects/@current/plugin_configs/\(configID)/dead_letters/").json?["results"] == [])
        await server.stop()
    }
}

/// `posthog.capture` back into the pipeline, guarded against a plugin feeding itself.
@Suite struct PluginCaptureTests {
    @Test func capturedEventsComeBackThroughThePipelineButNotToTheirCapturer() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let echoID = try await api.installSource([
            "plugin.json": #"{"name": "Echo"}"#,
            "index.js": """
                export function processEvent(event) { event.properties.seen_by_echo = true; return event }
                export async function onEvent(event) {
                  await posthog.capture('echo of ' + event.event, { source: event.uuid, timestamp: '2026-01-02T03:04:05.000Z' })
                }
                """,
        ])
        let echoConfig = try await api.configure(["plugin": JSONValue(echoID), "enabled": true])
        let otherID = try await api.installSource(
            ["plugin.json": #"{"name": "Other"}"#, "index.js": "export function processEvent(e) { e.properties.seen_by_other = true; return e }"])
        _ = try await api.configure(["plugin": JSONValue(otherID), "enabled": true])

        let trigger = try #require(try await captureAndWait(port: server.port, event: "trigger"))
        let echoed = try #require(try await HTTP.waitForEvents(port: server.port, query: "event=echo%20of%20trigger", count: 1).first)
        #expect(echoed["distinct_id"]?.stringValue?.hasPrefix("plugin-id-") == true)
        #expect(echoed["timestamp"] == "2026-01-02T03:04:05.000Z")
        #expect(echoed["properties"]?["source"] == trigger["id"])
        #expect(echoed["properties"]?["$lib"] == "posthog-plugin-server")
        #expect(echoed["properties"]?["$plugin_capture_origin"] == JSONValue(echoConfig))
        #expect(echoed["properties"]?["seen_by_other"] == true, "other plugins process it")
        #expect(echoed["properties"]?["seen_by_echo"] == nil, "its capturer doesn't")
        try await Task.sleep(for: .seconds(1))
        #expect(try await HTTP.events(port: server.port, query: "event=echo%20of%20echo%20of%20trigger").isEmpty)
        await server.stop()
    }
}
