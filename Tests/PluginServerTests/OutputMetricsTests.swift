import Foundation
import HTTPTypes
import OrderedJSON
@testable import PluginServer
import QuillTestSupport
import Testing

/// The seed's output metrics, on `/metrics` and at `…/output_metrics/`: plugins installed and in use across
/// projects, plugin-seconds per project, events by integration.
@Suite struct OutputMetricsTests {
    @Test func pluginsInUseAndEventsByIntegrationAreCountedOnMetricsAndTheAPI() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let greeter: JSONValue = [
            "plugin.json": #"{"name": "Greeter"}"#,
            "index.js": "export function processEvent(event) { event.properties.greeted = true; return event }",
        ]
        _ = try await api.configure(["plugin": JSONValue(try await api.installSource(greeter)), "enabled": true])
        // Another organization installs the same plugin and leaves it disabled: installed, configured, not in use.
        let created = try await server.runQuill(["organization", "create", "Acme"])
        let otherKey = try #require(
            created.output.split(separator: "\n").first { $0.contains("Personal API key") }?.split(separator: " ").last.map(String.init))
        let other = Management(port: server.port, key: otherKey)
        _ = try await other.configure(["plugin": JSONValue(try await other.installSource(greeter)), "enabled": false])

        // Two events from posthog-python, one from posthog-js, one Segment message from analytics-python.
        let batch = #"{"api_key": "\#(ServerProcess.projectToken)", "batch": ["#
            + #"{"event": "a", "distinct_id": "u", "properties": {"$lib": "posthog-python"}},"#
            + #"{"event": "b", "distinct_id": "u", "properties": {"$lib": "posthog-python"}},"#
            + #"{"event": "c", "distinct_id": "u", "properties": {"$lib": "web"}}]}"#
        #expect(try await HTTP.post(port: server.port, "/batch/", json: batch).status == 200)
        let segment = #"{"writeKey": "\#(ServerProcess.projectToken)", "batch": [{"type": "track", "event": "d", "userId": "u", "context": {"library": {"name": "analytics-python", "version": "2.4.0"}}}]}"#
        #expect(try await HTTP.post(port: server.port, "/v1/batch", json: segment).status == 200)
        _ = try await HTTP.waitForEvents(port: server.port, query: "", count: 4)

        let metrics = try await HTTP.request(.get, port: server.port, "/metrics").text
        func value(_ series: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }?.split(separator: " ").last.flatMap { Double($0) }
        }
        #expect(value(#"quill_plugin_installations{plugin="Greeter"}"#) == 2, "\(metrics)")
        #expect(value(#"quill_plugin_projects{plugin="Greeter",state="configured"}"#) == 2)
        #expect(value(#"quill_plugin_projects{plugin="Greeter",state="enabled"}"#) == 1)
        #expect(value(#"quill_integration_events_total{lib="posthog-python",source="posthog"}"#) == 2)
        #expect(value(#"quill_integration_events_total{lib="web",source="posthog"}"#) == 1)
        #expect(value(#"quill_integration_events_total{lib="analytics-python",source="segment"}"#) == 1)

        // The organization sees its own: one install, in use in its project, its plugin-seconds and integrations.
        let output = try #require(try await api.get("/api/organizations/@current/output_metrics/").json)
        #expect(output["plugins"] == [["name": "Greeter", "installations": 1, "configured_projects": 1, "enabled_projects": 1]])
        let seconds = try #require(output["plugin_seconds"]?.arrayValue?.first)
        #expect(seconds["project_id"] == 1)
        #expect((seconds["plugin_seconds"]?.doubleValue ?? 0) > 0, "the greeter ran on four events")
        let integrations = output["integration_events"]?.arrayValue ?? []
        #expect(integrations.contains(["project_id": 1, "source": "posthog", "lib": "posthog-python", "events": 2]))
        #expect(integrations.contains(["project_id": 1, "source": "segment", "lib": "analytics-python", "events": 1]))
        let others = try #require(try await other.get("/api/organizations/@current/output_metrics/").json)
        #expect(others["plugins"] == [["name": "Greeter", "installations": 1, "configured_projects": 1, "enabled_projects": 0]])
        #expect(others["integration_events"] == [])
        #expect(try await other.get("/api/organizations/1/output_metrics/").status == 404)
        await server.stop()
    }

    /// `$lib` is the client's to say: past the bound, new values count as `other`, so labels can't grow without end.
    @Test func hostileLibrariesAreCutCleanedAndBounded() {
        let usage = IntegrationUsage()
        for index in 0..<(IntegrationUsage.maximumLibraries + 50) {
            usage.count(teamID: 1, source: .posthog, lib: "lib-\(index)", events: 1)
        }
        usage.count(teamID: 1, source: .posthog, lib: "Evil\"}\n" + String(repeating: "x", count: 500), events: 1)
        usage.countDelivered(teamID: 1, source: .webhook)
        let counts = usage.snapshot()
        let libraries = Set(counts.keys.map(\.lib))
        #expect(libraries.count <= IntegrationUsage.maximumLibraries + 1)
        #expect(counts.filter { $0.key.lib == "other" }.values.reduce(0, +) >= 50)
        #expect(libraries.allSatisfy { $0.count <= IntegrationUsage.maximumLibraryLength && !$0.contains("\"") && !$0.contains("\n") })
        #expect(counts.values.reduce(0, +) == IntegrationUsage.maximumLibraries + 52)
    }
}
