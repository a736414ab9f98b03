import ChildProcesses
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrderedJSON
import QuillTestSupport
import Testing

/// The web UI: its files, the routes added for it, and the whole UI driven in headless Chromium.
@Suite struct WebUITests {
    @Test func servesThePageAndAssetsWithTypesAndCaching() async throws {
        let server = try ServerProcess()
        try await server.start()
        let root = try await Self.get(server.port, "/")
        #expect(root.status == .found && root.headers[.location] == "/ui/")
        #expect(try await Self.get(server.port, "/ui").headers[.location] == "/ui/")
        let page = try await Self.get(server.port, "/ui/")
        #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
        #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
        #expect(page.text.contains("<script type=\"module\" src=\"app.js\">"))
        for (file, type) in [("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8")] {
            let asset = try await Self.get(server.port, "/ui/\(file)")
            #expect(asset.status == .ok && asset.headers[.contentType] == type, "\(file)")
            #expect(asset.headers[.cacheControl] == "no-cache")
            let tag = try #require(asset.headers[.eTag])
            let again = try await Self.get(server.port, "/ui/\(file)", headers: [.ifNoneMatch: tag])
            #expect(again.status == .notModified && again.text.isEmpty)
        }
        #expect(try await Self.get(server.port, "/ui/missing.js").status == .notFound)
        await server.stop()
    }

    @Test func whoAmIListsTheKeysProjectsOnly() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let me = try await api.get("/api/users/@me/")
        #expect(me.status == 200)
        #expect(me.json?["projects"]?.arrayValue?.first?["api_token"] == .string(ServerProcess.projectToken))
        let organizationID = try #require(me.json?["organization"]?["id"]?.doubleValue)
        let other = try await server.runQuill(["organization", "create", "Acme"])
        let otherKey = try #require(other.output.split(separator: "\n").compactMap { $0.split(separator: " ").last }.first { $0.hasPrefix("phx_") })
        let theirs = try await Management(port: server.port, key: String(otherKey)).get("/api/users/@me/")
        #expect(theirs.json?["organization"]?["id"]?.doubleValue != organizationID)
        #expect(theirs.json?["projects"]?.arrayValue?.count == 1)
        #expect(theirs.json?["projects"]?.arrayValue?.first?["api_token"] != .string(ServerProcess.projectToken))
        #expect(try await Management(port: server.port, key: "phx_nobody").get("/api/users/@me/").status == 401)
        await server.stop()
    }

    @Test func testRunsProcessUnsavedCodeAndPlaceCompileErrorsAtTheirLine() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let manifest = #"{"name": "Stamp", "config": [{"key": "stamp", "type": "string", "required": true}]}"#
        func run(_ code: String, config: JSONValue = ["stamp": "yes"], event: JSONValue = ["event": "hi", "properties": [:]])
            async throws -> JSONValue
        {
            let result = try await api.send(
                .post, "/api/projects/@current/plugin_test_runs/",
                json: ["source": ["plugin.json": .string(manifest), "index.js": .string(code)], "config": config, "event": event])
            #expect(result.status == 200, "\(result.text)")
            return try #require(result.json)
        }
        let stamped = try await run(
            "function processEvent(event, { config }) {\n  console.log('stamping', event.event)\n  event.properties.stamp = config.stamp\n  return event\n}")
        #expect(stamped["error"] == .null)
        #expect(stamped["event"]?["properties"]?["stamp"] == "yes")
        #expect(stamped["logs"]?.arrayValue?.first?["message"] == "stamping hi")
        #expect(stamped["logs"]?.arrayValue?.first?["type"] == "LOG")

        let broken = try await run("function processEvent(event) {\n  return event\n\n  const = 1\n}")
        #expect(broken["error"]?["stage"] == "compile")
        #expect(broken["error"]?["file"] == "index.js")
        #expect(broken["error"]?["line"] == 4)
        #expect(broken["error"]?["column"] != .null)

        let missingConfig = try await run("function processEvent(event) { return event }", config: [:])
        #expect(missingConfig["error"]?["stage"] == "config" && missingConfig["error"]?["field"] == "stamp")
        let dropped = try await run("function processEvent() { return null }")
        #expect(dropped["dropped"] == true && dropped["event"] == .null && dropped["error"] == .null)
        let thrown = try await run("function processEvent() { throw new TypeError('nope') }")
        #expect(thrown["error"]?["stage"] == "processEvent")
        #expect(thrown["error"]?["message"]?.stringValue?.contains("nope") == true)

        let notAnEvent = try await api.send(.post, "/api/projects/@current/plugin_test_runs/", json: ["source": [:], "event": "x"])
        #expect(notAnEvent.status == 400 && notAnEvent.json?["attr"] == "event")
        await server.stop()
    }

    @Test func eventsPerMinuteCountsSucceededAndFailedEvents() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let plugin = try await api.installArchive([
            "plugin.json": #"{"name": "Picky"}"#,
            "index.js": "function processEvent(event) { if (event.event === 'bad') throw new Error('bad'); return event }",
        ])
        let config = try await api.configure(["plugin": JSONValue(plugin), "enabled": true])
        for name in ["good", "good", "bad"] {
            _ = try await HTTP.post(
                port: server.port, "/e/",
                json: #"{"api_key": "\#(ServerProcess.projectToken)", "event": "\#(name)", "distinct_id": "ada"}"#)
        }
        var totals = (succeeded: 0.0, failed: 0.0)
        let deadline = ContinuousClock.now + .seconds(20)
        while totals != (2, 1), ContinuousClock.now < deadline {
            let minutes = try await api.get("/api/projects/@current/plugin_configs/\(config)/events_per_minute/")
            let results = try #require(minutes.json?["results"]?.arrayValue)
            #expect(results.count == 30)
            totals = results.reduce((0, 0)) { sum, minute in
                (sum.0 + (minute["succeeded"]?.doubleValue ?? 0), sum.1 + (minute["failed"]?.doubleValue ?? 0))
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(totals == (2, 1))
        await server.stop()
    }

    /// Issue 6's acceptance test: the real UI in headless Chromium against `quill serve`. With
    /// `QUILL_UI_SCREENSHOTS=docs/screenshots` it also writes the README's screenshots.
    @Test(.timeLimit(.minutes(3))) func browserDrivesEveryPageWithoutConsoleErrors() async throws {
        let server = try ServerProcess()
        try await server.start()
        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/webui_browser_test.py")
        let python = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            arguments: ["python3", script.path, server.baseURL, ServerProcess.personalAPIKey, ServerProcess.projectToken],
            currentDirectory: QuillExecutable.repositoryRoot, mergingErrors: true)
        #expect(python.status == 0, "browser test failed:\n\(python.text)")
        await server.stop()
    }

    private struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String
    }

    private static func get(_ port: Int, _ path: String, headers: HTTPFields = [:]) async throws -> Answer {
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(TestClient.Request(path, method: .get, authority: "127.0.0.1:\(port)", headers: headers, body: nil))
        }
        return Answer(
            status: response.status, headers: response.headers, text: response.body.map { String(buffer: $0) } ?? "")
    }
}

extension HTTPField.Name {
    fileprivate static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
}
