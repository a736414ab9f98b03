import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// `/metrics`, `/_ready` and the plugin usage API of a real `quill serve`.
@Suite struct MetricsTests {
    @Test func scrapeShowsCaptureIngestionAndPluginCountersMovedByWhatWasSent() async throws {
        let server = try ServerProcess()
        try await server.start()
        try await eventually("the server to be ready") {
            try await HTTP.request(.get, port: server.port, "/_ready").status == 200
        }
        let ready = try await HTTP.request(.get, port: server.port, "/_ready").json
        #expect(ready?["checks"]?["database"] == "ok")
        #expect(ready?["checks"]?["plugins"] == "loaded")

        let api = Management(port: server.port)
        let pluginID = try await api.installSource([
            "plugin.json": #"{"name": "Slow filter"}"#,
            "index.js": """
                // Spends at least 20 ms in plugin code per event, so plugin-seconds are clearly counted.
                export function processEvent(event) {
                  const until = Date.now() + 20
                  while (Date.now() < until) {}
                  return event.event === 'drop me' ? null : event
                }
                """,
        ])
        let configID = try await api.configure(["plugin": JSONValue(pluginID), "enabled": true])

        // Five events: three kept, one dropped by the plugin, one refused by capture (no distinct_id).
        let batch = """
            {"api_key": "\(ServerProcess.projectToken)", "batch": [
              {"event": "kept", "distinct_id": "a"}, {"event": "kept", "distinct_id": "b"},
              {"event": "kept", "distinct_id": "c"}, {"event": "drop me", "distinct_id": "d"}, {"event": "no one"}]}
            """
        #expect(try await HTTP.post(port: server.port, "/batch/", json: batch).status == 200)
        let refused = #"{"api_key": "phc_not_a_project", "batch": [{"event": "x", "distinct_id": "a"}, {"event": "y", "distinct_id": "b"}]}"#
        #expect(try await HTTP.post(port: server.port, "/batch/", json: refused).status == 401)
        _ = try await HTTP.waitForEvents(port: server.port, query: "event=kept", count: 3)

        var samples: [String: Double] = [:]
        try await eventually("every event to be processed") {
            samples = try await Self.scrape(port: server.port)
            return samples["quill_events_processed_total{outcome=\"dropped\"}"] == 1
        }
        let config = "plugin=\"Slow filter\",plugin_config_id=\"\(configID)\",team_id=\"1\""
        let processEvent = "function=\"processEvent\",\(config)"
        let expected: [String: Double] = [
            "quill_capture_requests_total{code=\"200\"}": 1,
            "quill_capture_requests_total{code=\"401\"}": 1,
            "quill_events_received_total": 7,
            "quill_events_accepted_total": 4,
            "quill_events_rejected_total{reason=\"invalid_event\"}": 1,
            "quill_events_rejected_total{reason=\"invalid_api_key\"}": 2,
            "quill_events_processed_total{outcome=\"stored\"}": 3,
            "quill_events_processed_total{outcome=\"dropped\"}": 1,
            "quill_ingestion_log_events": 0,
            "quill_plugin_events_total{outcome=\"in\",\(config)}": 4,
            "quill_plugin_events_total{outcome=\"succeeded\",\(config)}": 3,
            "quill_plugin_events_total{outcome=\"dropped\",\(config)}": 1,
            "quill_plugin_events_total{outcome=\"failed\",\(config)}": 0,
            "quill_plugin_calls_total{\(processEvent)}": 4,
            "quill_plugin_errors_total{\(processEvent)}": 0,
            "quill_plugin_timeouts_total{\(processEvent)}": 0,
            "quill_plugin_call_duration_seconds_count{\(processEvent)}": 4,
            "quill_plugin_call_duration_seconds_bucket{\(processEvent),le=\"0.01\"}": 0,
            "quill_plugin_call_duration_seconds_bucket{\(processEvent),le=\"+Inf\"}": 4,
        ]
        for (name, value) in expected {
            #expect(samples[name] == value, "\(name)")
        }
        // A VM on each script thread that ran the config's events: the server has one per core.
        #expect((1...Double(ProcessInfo.processInfo.activeProcessorCount)).contains(samples["quill_plugin_vms"] ?? 0))
        let pluginSeconds = try #require(samples["quill_plugin_seconds_total{team_id=\"1\"}"])
        #expect(pluginSeconds >= 0.07, "four calls of about 20 ms each (Date.now() has whole milliseconds)")
        #expect(pluginSeconds == samples["quill_plugin_call_duration_seconds_sum{\(processEvent)}"])
        #expect((samples["quill_javascript_heap_bytes{kind=\"capacity\"}"] ?? 0) > 0)
        #expect((samples["process_resident_memory_bytes"] ?? 0) > 0)

        // The same plugin-seconds, durably, through the management API.
        let usage = try #require(try await api.get("/api/projects/@current/plugin_usage/").json)
        #expect(usage["calls"] == 4)
        #expect(abs((usage["plugin_seconds"]?.doubleValue ?? 0) - pluginSeconds) < 1e-9)
        #expect(usage["by_config"]?.arrayValue?.first?["plugin_config_id"] == JSONValue(configID))
        #expect(usage["by_hour"]?.arrayValue?.count == 1)
        #expect(try await api.get("/api/projects/@current/plugin_usage/?since=yesterday").status == 400)

        // Plugin-seconds survive a restart in the usage API (written at shutdown).
        await server.stop()
        try await server.start()
        let afterRestart = try #require(try await Management(port: server.port).get("/api/projects/@current/plugin_usage/").json)
        #expect(afterRestart["calls"] == 4)
        await server.stop()
    }

    @Test func metricsAreInPrometheusTextFormat() async throws {
        let server = try ServerProcess()
        try await server.start()
        let response = try await HTTP.request(.get, port: server.port, "/metrics")
        #expect(response.status == 200)
        var described: Set<String> = []
        for line in response.text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                #expect(parts.count == 4 && ["counter", "gauge", "histogram"].contains(parts[3]), "\(line)")
                described.insert(String(parts[2]))
            } else if !line.hasPrefix("# HELP ") {
                // name{labels} value, and every sample's family described before it.
                let name = line.prefix { $0 != "{" && $0 != " " }
                let family = ["_bucket", "_sum", "_count"].reduce(String(name)) { name, suffix in
                    name.hasSuffix(suffix) && described.contains(String(name.dropLast(suffix.count)))
                        ? String(name.dropLast(suffix.count)) : name
                }
                #expect(described.contains(family), "\(line)")
                #expect(Double(line.split(separator: " ").last ?? "") != nil, "\(line)")
            }
        }
        #expect(described.isSuperset(of: ["quill_events_received_total", "quill_work_queue_items", "quill_plugin_vms"]))
        await server.stop()
    }

    /// The scrape's samples by `name{labels}` as written.
    @Test func aMetricsTokenMustBeSentWhenTheOperatorSetsOne() async throws {
        let server = try ServerProcess(environment: ["QUILL_METRICS_TOKEN": "scrape-token"])
        try await server.start()
        let missing = try await HTTP.request(.get, port: server.port, "/metrics")
        #expect(missing.status == 401)
        #expect(missing.json?["detail"]?.stringValue?.contains("QUILL_METRICS_TOKEN") == true)
        #expect(try await HTTP.request(.get, port: server.port, "/metrics", headers: ["Authorization": "Bearer scrape-tokem"]).status == 401)
        #expect(try await HTTP.request(.get, port: server.port, "/metrics", headers: ["Authorization": "scrape-token"]).status == 401)
        let scraped = try await HTTP.request(.get, port: server.port, "/metrics", headers: ["Authorization": "Bearer scrape-token"])
        #expect(scraped.status == 200)
        #expect(scraped.text.contains("quill_events_received_total"))
        #expect(try await HTTP.request(.get, port: server.port, "/_health").status == 200)
        await server.stop()
    }

    static func scrape(port: Int) async throws -> [String: Double] {
        let response = try await HTTP.request(.get, port: port, "/metrics")
        var samples: [String: Double] = [:]
        for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
