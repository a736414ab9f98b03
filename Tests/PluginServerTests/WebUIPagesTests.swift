import ChildProcesses
import Foundation
import OrderedJSON
@testable import PluginServer
import QuillTestSupport
import Storage
import StorageSQLite
import Testing

/// Issue 21: the catalogue, the usage dashboard and live events, their routes, and the pages in headless
/// Chromium (`Clients/webui_pages_browser_test.py`), also at 360 px wide.
@Suite struct WebUIPagesTests {
    @Test func shippedCatalogueListsRealPluginsOfEveryKind() throws {
        let catalogue = try PluginCatalogue.shipped()
        #expect(catalogue.entries.count >= 30)
        let kinds = Set(catalogue.entries.compactMap { $0["kind"]?.stringValue })
        #expect(kinds == PluginCatalogue.kinds)
        for entry in catalogue.entries {
            #expect(entry["url"]?.stringValue?.hasPrefix("https://github.com/PostHog/") == true, "\(entry)")
            #expect(entry["description"]?.stringValue?.isEmpty == false, "\(entry)")
        }
        #expect(Set(catalogue.entries.map(PluginCatalogue.key)).count == catalogue.entries.count, "one entry per repository")
    }

    @Test func operatorCatalogueExtendsOrReplacesTheShippedOne() async throws {
        let folder = try TemporaryFolder()
        try folder.write(
            #"{"plugins": [{"name": "Our GeoIP", "kind": "transformation", "url": "https://github.com/PostHog/posthog-plugin-geoip.git"},"#
                + #" {"name": "Ours", "kind": "destination", "url": "https://git.example.com/ours"}]}"#, to: "extend.json")
        let extended = try PluginCatalogue.load(operatorFile: folder.url.appending(path: "extend.json").path)
        let shipped = try PluginCatalogue.shipped()
        #expect(extended.entries.count == shipped.entries.count + 1)
        #expect(extended.entries.first { PluginCatalogue.key($0) == "https://github.com/posthog/posthog-plugin-geoip" }?["name"] == "Our GeoIP")
        try folder.write(#"{"replace": true, "plugins": [{"name": "Ours", "kind": "source", "url": "https://git.example.com/ours"}]}"#, to: "replace.json")
        let replaced = try PluginCatalogue.load(operatorFile: folder.url.appending(path: "replace.json").path)
        #expect(replaced.entries.map { $0["name"] } == ["Ours"])
        try folder.write(#"{"plugins": [{"name": "Odd", "kind": "sink", "url": "https://x.example/odd"}]}"#, to: "bad.json")
        #expect(throws: ConfigurationError.self) { try PluginCatalogue.load(operatorFile: folder.url.appending(path: "bad.json").path) }

        let server = try ServerProcess(environment: [PluginCatalogue.environmentVariable: folder.url.appending(path: "replace.json").path])
        try await server.start()
        let answer = try await Management(port: server.port).get("/api/organizations/@current/plugin_catalogue/")
        #expect(answer.status == 200)
        #expect(answer.json?["results"]?.arrayValue?.map { $0["name"] } == ["Ours"])
        #expect(try await Management(port: server.port).get("/api/organizations/999/plugin_catalogue/").status == 404)
        await server.stop()
    }

    @Test func liveEventsShowInputAndOutputOnceWatched() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let plugin = try await api.installArchive([
            "plugin.json": #"{"name": "Marker"}"#,
            "index.js": "function processEvent(event) { if (event.event === 'drop') return null; event.properties.marked = true; return event }",
        ])
        _ = try await api.configure(["plugin": JSONValue(plugin), "enabled": true])
        let first = try await api.get("/api/projects/@current/live_events/")
        #expect(first.status == 200 && first.json?["results"]?.arrayValue?.isEmpty == true)
        let cursor = try #require(first.json?["cursor"]?.doubleValue.map(Int.init))
        for (name, person) in [("seen", "ada"), ("drop", "ada"), ("seen", "grace")] {
            _ = try await HTTP.post(
                port: server.port, "/e/",
                json: #"{"api_key": "\#(ServerProcess.projectToken)", "event": "\#(name)", "distinct_id": "\#(person)", "properties": {"plan": "free"}}"#)
        }
        var results: [JSONValue] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while results.count < 3, ContinuousClock.now < deadline {
            results = try await api.get("/api/projects/@current/live_events/?after=\(cursor)").json?["results"]?.arrayValue ?? []
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(results.count == 3)
        let seen = try #require(results.first { $0["event"] == "seen" && $0["distinct_id"] == "ada" })
        #expect(seen["input"]?["properties"]?["marked"] == nil)
        #expect(seen["input"]?["properties"]?["plan"] == "free")
        #expect(seen["output"]?["properties"]?["marked"] == true)
        #expect(seen["output"]?["properties"]?["$plugins_succeeded"]?.arrayValue?.first?.stringValue?.hasPrefix("Marker") == true)
        let dropped = try #require(results.first { $0["event"] == "drop" })
        #expect(dropped["output"] == .null && dropped["dropped_by"]?.stringValue?.hasPrefix("Marker") == true)
        let filtered = try await api.get("/api/projects/@current/live_events/?event=seen&distinct_id=grace").json?["results"]?.arrayValue
        #expect(filtered?.count == 1 && filtered?.first?["distinct_id"] == "grace")
        #expect(try await api.get("/api/projects/@current/live_events/?after=-1").status == 400)
        await server.stop()
    }

    /// Installing from the catalogue (then updating), attachment upload, installing from a path and from a
    /// URL, reordering three plugins by drag and by keyboard, live events, and every page at 360 px.
    @Test(.timeLimit(.minutes(5))) func browserInstallsReordersAndWatchesEvents() async throws {
        let hosts = FakePluginHosts()
        hosts.publish(version: "1.0.0", files: Self.greeter)
        hosts.publish(version: "1.0.0", files: Self.stamper, repository: "stamper")
        try await hosts.start()
        defer { hosts.stop() }
        let folder = try TemporaryFolder()
        for (name, content) in Self.tagger { try folder.write(content, to: "plugins/tagger/\(name)") }
        let greeterURL = "\(hosts.baseURL)/github/acme/greeter"
        try folder.write(
            #"{"plugins": [{"name": "Greeter", "kind": "transformation", "url": "\#(greeterURL)", "#
                + #""description": "Greets every event, and the names in an attached file.", "config": [{"key": "greeting", "name": "Greeting", "required": true}]}]}"#,
            to: "catalogue.json")
        var environment = hosts.environment
        environment["QUILL_PLUGIN_FOLDERS"] = folder.url.appending(path: "plugins").path
        environment[PluginCatalogue.environmentVariable] = folder.url.appending(path: "catalogue.json").path
        let server = try ServerProcess(environment: environment)
        try await server.start()
        try await Self.runBrowser(
            server, mode: "pages",
            [
                "hosts": .string(hosts.baseURL), "greeter_url": .string(greeterURL),
                "stamper_url": .string("\(hosts.baseURL)/github/acme/stamper"),
                "tagger_path": .string(folder.url.appending(path: "plugins/tagger").path),
            ])
        await server.stop()
    }

    /// The dashboard's charts and totals against plugin-seconds written to the database.
    @Test(.timeLimit(.minutes(3))) func browserDashboardDrawsThePluginUsageNumbers() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        var configs: [Int] = []
        for name in ["Alpha", "Beta"] {
            let plugin = try await api.installArchive(["plugin.json": #"{"name": "\#(name)"}"#, "index.js": "function processEvent(e) { return e }"])
            // Disabled: no code runs, so the numbers stay the ones written below.
            configs.append(try await api.configure(["plugin": JSONValue(plugin), "enabled": false]))
        }
        let hour = (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600
        let database = try SQLiteDatabase(path: server.dataDirectory.appending(path: "quill.sqlite").path)
        try await SQLitePluginUsageStore(database: database).add([
            PluginUsage(teamID: 1, pluginConfigID: configs[0], hour: Date(timeIntervalSince1970: hour - 2 * 3600), seconds: 12.5, calls: 40),
            PluginUsage(teamID: 1, pluginConfigID: configs[1], hour: Date(timeIntervalSince1970: hour - 2 * 3600), seconds: 3.25, calls: 10),
            PluginUsage(teamID: 1, pluginConfigID: configs[0], hour: Date(timeIntervalSince1970: hour - 5 * 3600), seconds: 7.5, calls: 20),
        ])
        try await Self.runBrowser(
            server, mode: "dashboard",
            [
                "configs": ["Alpha": 20, "Beta": JSONValue(3.25)],
                "hours": .object(JSONObject([(String(Int(hour) - 5 * 3600), JSONValue(7.5)), (String(Int(hour) - 2 * 3600), JSONValue(15.75))])),
                "seconds": JSONValue(23.25), "calls": 70,
            ])
        await server.stop()
    }

    /// The webhooks page: action webhooks and REST hooks added, edited and removed through the management API.
    @Test(.timeLimit(.minutes(3))) func browserManagesWebhooksAndHooks() async throws {
        let server = try ServerProcess()
        try await server.start()
        try await Self.runBrowser(server, mode: "webhooks", [:])
        await server.stop()
    }

    /// Runs the browser script in `mode` against `server`, with what the mode needs to know as JSON.
    static func runBrowser(_ server: ServerProcess, mode: String, _ facts: JSONValue) async throws {
        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/webui_pages_browser_test.py")
        let python = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            arguments: [
                "python3", script.path, mode, server.baseURL, ServerProcess.personalAPIKey, ServerProcess.projectToken,
                String(decoding: facts.serialized(), as: UTF8.self),
            ],
            currentDirectory: QuillExecutable.repositoryRoot, mergingErrors: true)
        #expect(python.status == 0, "browser test (\(mode)) failed:\n\(python.text)")
    }

    static let greeter = [
        "plugin.json": """
            {"name": "Greeter", "description": "Greets every event, and the first name in an attached file.", "main": "index.js",
             "config": [{"key": "greeting", "name": "Greeting", "type": "string", "default": "Hello", "required": true},
                        {"key": "names", "name": "Names", "type": "attachment", "hint": "A text file; its first line goes into `properties.greeted`."}]}
            """,
        "index.js": """
            function processEvent(event, { config, attachments }) {
                event.properties = { ...event.properties, greeting: config.greeting }
                if (attachments.names) event.properties.greeted = attachments.names.contents.toString().split('\\n')[0]
                return event
            }
            """,
    ]
    static let stamper = [
        "plugin.json": #"{"name": "Stamper", "description": "Stamps every event.", "main": "index.js"}"#,
        "index.js": "function processEvent(event) { event.properties.stamped = true; return event }",
    ]
    static let tagger = [
        "plugin.json": #"{"name": "Tagger", "description": "Tags every event, and refuses fail-me.", "main": "index.js"}"#,
        "index.js": "function processEvent(event) { if (event.event === 'fail-me') throw new Error('tagger refuses'); event.properties.tag = 'tagged'; return event }",
    ]
}
