import ChildProcesses
import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// PostHog's own Python SDK against `quill serve` with a plugin installed (issue 3's acceptance test).
@Suite struct PostHogPythonSDKTests {
    @Test func captureIdentifyAndABatchOf1000ArriveWithThePluginsChanges() async throws {
        let server = try ServerProcess()
        let install = try await server.runQuill([
            "plugin", "install", QuillExecutable.repositoryRoot.appending(path: "examples/hello-world").path,
            "--config", "bar=from the test",
        ])
        #expect(install.status == 0, "\(install.output)")
        try await server.start()

        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/posthog_python_client.py")
        let python = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script.path, server.baseURL, ServerProcess.projectToken])
        try #require(python.status == 0, "python client failed: \(python.errorText)")

        let sent = try JSONValue.parse(Array(python.standardOutput))
        let captured = try #require(sent["capture"]?.stringValue)
        let identified = try #require(sent["identify"]?.stringValue)
        let batch = (sent["batch"]?.arrayValue ?? []).compactMap { $0.stringValue }
        #expect(batch.count == 1000)

        let events = try await HTTP.waitForEvents(port: server.port, query: "", count: 1002)
        var byID: [String: JSONValue] = [:]
        for event in events {
            let id = try #require(event["id"]?.stringValue)
            #expect(byID[id] == nil, "event \(id) is stored twice")
            byID[id] = event
        }
        for id in [captured, identified] + batch {
            let event = try #require(byID[id], "event \(id) was not stored")
            #expect(event["properties"]?["hello"] == "world")
            #expect(event["properties"]?["bar"] == "from the test")
            #expect(event["properties"]?["$plugins_succeeded"] == ["helloworldplugin (1)"])
        }
        #expect(byID[captured]?["event"] == "python signed up")
        #expect(byID[captured]?["properties"]?["seats"] == 3)
        #expect(byID[captured]?["properties"]?["$lib"] == "posthog-python")
        #expect(byID[identified]?["event"] == "$identify")
        #expect(byID[identified]?["properties"]?["$set"]?["email"] == "ada@example.com")
        let indexes = Set(batch.compactMap { byID[$0]?["properties"]?["index"]?.doubleValue.map(Int.init) })
        #expect(indexes == Set(0..<1000))
        await server.stop()
    }

    /// Past QUILL_MAX_BACKLOG capture answers 503 with Retry-After; the SDK's retries then land every event once.
    @Test func aFullBacklogIsRefusedWithRetryAfterAndTheSDKsRetriesLandEveryEventOnce() async throws {
        let server = try ServerProcess(environment: ["QUILL_MAX_BACKLOG": "100"])
        let slow = try TemporaryFolder([
            "plugin.json": #"{"name": "slow"}"#,
            "index.js": "function processEvent(event) { const until = Date.now() + 10; while (Date.now() < until) {} return event }",
        ])
        #expect(try await server.runQuill(["plugin", "install", slow.url.path]).status == 0)
        try await server.start()

        // Filling the log: once it holds 100 events, capture answers 503 with Retry-After before reading the body.
        let fillers = #"{"api_key": "\#(ServerProcess.projectToken)", "batch": ["# + Array(repeating: #"{"event": "filler", "distinct_id": "f"}"#, count: 150).joined(separator: ",") + "]}"
        var refused: HTTPResult?
        for _ in 0..<20 {
            let result = try await HTTP.post(port: server.port, "/batch/", json: fillers)
            if result.status == 503 {
                refused = result
                break
            }
            #expect(result.status == 200, "\(result.text)")
        }
        #expect(refused?.json?["code"] == "backlog_full", "\(refused?.text ?? "never refused")")

        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/posthog_retry_client.py")
        let python = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script.path, server.baseURL, ServerProcess.projectToken, "300"],
            timeLimit: .seconds(300))
        try #require(python.status == 0, "python client failed: \(python.errorText)")
        let sent = try JSONValue.parse(Array(python.standardOutput)).arrayValue?.compactMap(\.stringValue) ?? []
        #expect(sent.count == 300)

        let events = try await HTTP.waitForEvents(port: server.port, query: "event=backlog%20event", count: 300)
        var seen: [String: Int] = [:]
        for event in events { seen[event["id"]?.stringValue ?? "", default: 0] += 1 }
        #expect(sent.allSatisfy { seen[$0] == 1 }, "every event stored exactly once")
        #expect(seen.count == 300)
        let metrics = try await HTTP.request(.get, port: server.port, "/metrics").text
        let refusals = metrics.split(separator: "\n").first { $0.hasPrefix(#"quill_capture_requests_total{code="503"}"#) }
        #expect((refusals?.split(separator: " ").last.flatMap { Double($0) } ?? 0) >= 2, "the SDK met the full log too")
        #expect(metrics.contains("quill_ingestion_log_oldest_seconds"))
        await server.stop()
    }
}
