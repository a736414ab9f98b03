import ChildProcesses
import Foundation
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
}
