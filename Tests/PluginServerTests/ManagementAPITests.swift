import Foundation
import HTTPTypes
import OrderedJSON
import PluginPackaging
@testable import PluginServer
import QuillTestSupport
import Synchronization
import Testing

/// The management API over HTTP against `quill serve` (issue 8's acceptance tests).
@Suite struct ManagementAPITests {
    static let tagger: [String: String] = [
        "plugin.json": """
            {"name": "Tagger", "description": "Tags events.", "config": [
              {"markdown": "Tags every event."},
              {"key": "tag", "name": "Tag", "type": "string", "required": true},
              {"key": "apiKey", "name": "API key", "type": "string", "secret": true, "required": true},
              {"key": "mode", "name": "Mode", "type": "choice", "choices": ["plain", "upper"], "default": "plain"},
              {"key": "wordlist", "name": "Word list", "type": "attachment"}
            ], "publicJobs": {"Resend": {"payload": {"since": {"type": "date", "required": true}}}}}
            """,
        "index.ts": """
            export function processEvent(event: any, { config, attachments }: any) {
              event.properties.tag = config.mode === 'upper' ? config.tag.toUpperCase() : config.tag
              event.properties.has_key = config.apiKey === 'sekret-value'
              if (attachments.wordlist) event.properties.words = attachments.wordlist.contents.toString().trim()
              event.properties.trail = (event.properties.trail || []).concat('tagger')
              console.log('tagged', event.event)
              return event
            }
            """,
    ]

    static let stamperSource: JSONValue = [
        "plugin.json": #"{"name": "Stamper"}"#,
        "index.js": "function processEvent(event) { event.properties.trail = (event.properties.trail || []).concat('stamper'); return event }",
    ]

    @Test func wholeFlowOverHTTP() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)

        // Install from a .zip, configure with a secret, a choice and an attachment, enable.
        let taggerID = try await api.installArchive(Self.tagger)
        let created = try await api.send(
            .post, "/api/projects/@current/plugin_configs/",
            multipart: [
                MultipartPart(name: "plugin", content: Array(String(taggerID).utf8)),
                MultipartPart(name: "enabled", content: Array("true".utf8)),
                MultipartPart(name: "config", content: Array(#"{"tag": "first", "apiKey": "sekret-value", "mode": "upper"}"#.utf8)),
                MultipartPart(
                    name: "add_attachment[wordlist]", fileName: "words.txt", contentType: "text/plain",
                    content: Array("alpha beta\n".utf8)),
            ])
        #expect(created.status == 201, "\(created.text)")
        let taggerConfig = try #require(created.json?["id"]?.doubleValue.map(Int.init))
        #expect(created.json?["attachments"]?["wordlist"]?["file_name"] == "words.txt")
        // A client that percent-encodes the path (`@` as `%40`, as schemathesis does) reaches the same ones.
        let encoded = try await api.get("/api/projects/%40current/plugin_configs/\(taggerConfig)/")
        #expect(encoded.status == 200 && encoded.json?["id"] == JSONValue(taggerConfig), "\(encoded.text)")

        let first = try await captureAndWait(port: server.port, event: "flow one")
        let counted = try await api.get("/api/projects/@current/plugin_configs/\(taggerConfig)/")
        #expect(counted.json?["stats"]?["events_succeeded"] == 1)
        #expect(counted.json?["stats"]?["functions"]?["processEvent"]?["calls"] == 1)
        #expect(first?["properties"]?["tag"] == "FIRST")
        #expect(first?["properties"]?["has_key"] == true)
        #expect(first?["properties"]?["words"] == "alpha beta")

        // Its logs (written to the database every half second) have the console line and the SYSTEM line of loading.
        let logs = try await api.waitForLogs(config: taggerConfig, query: "source=CONSOLE")
        let messages = logs.compactMap { $0["message"]?.stringValue }
        #expect(messages.contains("tagged flow one"))
        #expect(logs.allSatisfy { $0["source"] == "CONSOLE" && $0["type"] == "LOG" })
        let system = try await api.waitForLogs(config: taggerConfig, query: "source=SYSTEM&search=LOADED")
        #expect(system.first?["message"]?.stringValue?.hasPrefix("Plugin loaded (instance ID ") == true)

        // Change the config while events stream in: none is lost, and later events follow the new config.
        let streamed = EventNames()
        let stream = Task {
            for index in 0..<60 {
                let name = "flow stream \(index)"
                let body = #"{"api_key":"\#(ServerProcess.projectToken)","event":"\#(name)","distinct_id":"s","properties":{}}"#
                if (try? await HTTP.post(port: server.port, "/e/", json: body))?.status == 200 { streamed.append(name) }
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        let changed = try await api.send(
            .patch, "/api/projects/@current/plugin_configs/\(taggerConfig)/", json: ["config": ["tag": "second", "mode": "plain"]])
        #expect(changed.status == 200, "\(changed.text)")
        let after = try await captureAndWait(port: server.port, event: "flow after change")
        #expect(after?["properties"]?["tag"] == "second")
        #expect(after?["properties"]?["has_key"] == true, "the secret was kept")
        await stream.value
        let stored = try await HTTP.waitForEvents(port: server.port, query: "distinct_id=s", count: streamed.all.count)
        #expect(Set(stored.compactMap { $0["event"]?.stringValue }) == Set(streamed.all))
        #expect(stored.allSatisfy { ["FIRST", "second"].contains($0["properties"]?["tag"]?.stringValue) })

        // A second plugin from source; the chain follows the order, and rearranging changes it.
        let stamper = try await api.send(.post, "/api/organizations/@current/plugins/", json: ["plugin_type": "source", "source": Self.stamperSource])
        #expect(stamper.status == 201, "\(stamper.text)")
        let stamperID = try #require(stamper.json?["id"]?.doubleValue.map(Int.init))
        let stamperConfig = try await api.configure(["plugin": JSONValue(stamperID), "enabled": true, "order": 10])
        let ordered = try await captureAndWait(port: server.port, event: "flow ordered")
        #expect(ordered?["properties"]?["trail"] == ["tagger", "stamper"])
        let rearranged = try await api.send(
            .patch, "/api/projects/@current/plugin_configs/rearrange/",
            json: ["orders": .object(JSONObject([(String(stamperConfig), 1), (String(taggerConfig), 2)]))])
        #expect(rearranged.status == 200, "\(rearranged.text)")
        let reordered = try await captureAndWait(port: server.port, event: "flow reordered")
        #expect(reordered?["properties"]?["trail"] == ["stamper", "tagger"])

        // Disabled, the tagger leaves events alone.
        let disabled = try await api.send(.patch, "/api/projects/@current/plugin_configs/\(taggerConfig)/", json: ["enabled": false])
        #expect(disabled.json?["enabled"] == false)
        let untouched = try await captureAndWait(port: server.port, event: "flow disabled")
        #expect(untouched?["properties"]?["tag"] == nil)
        #expect(untouched?["properties"]?["trail"] == ["stamper"])

        // Public jobs are listed and a run is recorded.
        let jobs = try await api.get("/api/projects/@current/plugin_configs/\(taggerConfig)/jobs/")
        #expect(jobs.json?["public_jobs"]?["Resend"] != nil)
        let run = try await api.send(
            .post, "/api/projects/@current/plugin_configs/\(taggerConfig)/jobs/", json: ["type": "Resend", "payload": ["since": "2026-01-01"]])
        #expect(run.status == 202)
        #expect(run.json?["status"] == "queued")
        #expect(try await api.send(.post, "/api/projects/@current/plugin_configs/\(taggerConfig)/jobs/", json: ["type": "Nope"]).status == 400)
        await server.stop()
    }

    @Test func secretValuesNeverComeBack() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let pluginID = try await api.installArchive(Self.tagger)
        let configID = try await api.configure(
            ["plugin": JSONValue(pluginID), "enabled": true, "config": ["tag": "t", "apiKey": "sekret-value"]])
        var answers = [
            try await api.get("/api/projects/@current/plugin_configs/"),
            try await api.get("/api/projects/@current/plugin_configs/\(configID)/"),
            try await api.send(.patch, "/api/projects/@current/plugin_configs/\(configID)/", json: ["config": ["tag": "u"]]),
            try await api.get("/api/organizations/@current/plugins/\(pluginID)/"),
        ]
        _ = try await captureAndWait(port: server.port, event: "secret check")
        answers.append(try await api.get("/api/projects/@current/plugin_configs/\(configID)/logs/"))
        for answer in answers {
            #expect(answer.status == 200)
            #expect(!answer.text.contains("sekret-value"), "\(answer.text)")
        }
        #expect(answers[1].json?["secret_fields_set"] == ["apiKey"])
        let event = try await HTTP.waitForEvents(port: server.port, query: "event=secret%20check", count: 1).first
        #expect(event?["properties"]?["has_key"] == true)
        #expect(event?["properties"]?["tag"] == "u")
        await server.stop()
    }

    @Test func anotherOrganizationSeesNoneOfIt() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let pluginID = try await api.installArchive(Self.tagger)
        let configID = try await api.configure(
            ["plugin": JSONValue(pluginID), "enabled": true, "config": ["tag": "t", "apiKey": "k"]])
        _ = try await captureAndWait(port: server.port, event: "tenant one")

        let created = try await server.runQuill(["organization", "create", "Other Co"])
        #expect(created.status == 0, "\(created.output)")
        let otherKey = try #require(
            created.output.split(separator: "\n").first { $0.contains("Personal API key") }?.split(separator: " ").last.map(String.init))
        let other = Management(port: server.port, key: otherKey)
        #expect(try await other.get("/api/organizations/@current/plugins/").json?["results"] == [])
        #expect(try await other.get("/api/projects/@current/plugin_configs/").json?["results"] == [])
        #expect(try await other.get("/api/projects/@current/events/").json?["results"] == [])
        for path in [
            "/api/organizations/1/plugins/", "/api/organizations/@current/plugins/\(pluginID)/",
            "/api/organizations/@current/plugins/\(pluginID)/source/", "/api/organizations/@current/plugins/\(pluginID)/download/",
            "/api/projects/1/plugin_configs/", "/api/projects/@current/plugin_configs/\(configID)/",
            "/api/projects/@current/plugin_configs/\(configID)/logs/", "/api/projects/1/events/",
        ] {
            #expect(try await other.get(path).status == 404, "\(path)")
        }
        #expect(try await other.delete("/api/organizations/@current/plugins/\(pluginID)/").status == 404)
        #expect(try await other.send(.post, "/api/projects/@current/plugin_configs/", json: ["plugin": JSONValue(pluginID)]).status == 400)
        #expect(try await api.get("/api/organizations/@current/plugins/\(pluginID)/").status == 200)
        await server.stop()
    }

    @Test func badUploadsAreRefusedWithTheProblemNamed() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        func upload(_ bytes: [UInt8]) async throws -> HTTPResult {
            try await api.send(
                .post, "/api/organizations/@current/plugins/",
                multipart: [MultipartPart(name: "archive", fileName: "p.zip", contentType: "application/zip", content: bytes)])
        }
        let notArchive = try await upload(Array("just some text".utf8))
        #expect(notArchive.status == 400)
        #expect(notArchive.json?["detail"]?.stringValue?.contains("Could not read the archive as .zip or .tar.gz") == true)

        let cutShort = try await HTTP.request(
            .post, port: server.port, "/api/organizations/@current/plugins/",
            headers: ["Authorization": "Bearer \(api.key)", "Content-Type": "multipart/form-data; boundary=b"],
            body: Array("--b\r\nContent-Disposition: form-data; name=\"archive\"\r\n\r\nPK".utf8))
        #expect(cutShort.status == 400)
        #expect(cutShort.json?["detail"] == "The multipart body ends inside a part.")

        let noManifest = try await upload(PluginArchive.zipForTests(["index.js": "function processEvent(e) { return e }"]))
        #expect(noManifest.status == 400)
        #expect(noManifest.json?["attr"] == "plugin.json")

        var broken = Self.tagger
        broken["index.ts"] = "export function processEvent(event: any) {\n  return event +\n}\n"
        let syntaxError = try await upload(PluginArchive.zipForTests(broken))
        #expect(syntaxError.status == 400)
        #expect(syntaxError.json?["detail"]?.stringValue?.contains("index.ts:3:") == true, "\(syntaxError.text)")

        let badJSON = try await api.send(
            .post, "/api/organizations/@current/plugins/",
            json: ["plugin_type": "source", "source": ["plugin.json": "{\"name\": ", "index.js": ""]])
        #expect(badJSON.status == 400)
        #expect(badJSON.json?["detail"]?.stringValue?.contains("plugin.json is not valid JSON") == true)

        // The database and the compiler would end the name at the NUL byte, making it another file.
        let nulInName = try await api.send(
            .post, "/api/organizations/@current/plugins/",
            json: ["plugin_type": "source", "source": ["plugin.json": #"{"name": "N"}"#, "index.js": "", "a\u{0}b.js": ""]])
        #expect(nulInName.status == 400)
        #expect(nulInName.json?["detail"]?.stringValue?.contains("has a NUL byte in it") == true, "\(nulInName.text)")

        let pluginID = try await api.installArchive(Self.tagger)
        let wrongValue = try await api.send(
            .post, "/api/projects/@current/plugin_configs/",
            json: ["plugin": JSONValue(pluginID), "config": ["tag": "t", "apiKey": "k", "mode": "loud"]])
        #expect(wrongValue.status == 400)
        #expect(wrongValue.json?["attr"] == "mode")
        let missing = try await api.send(.post, "/api/projects/@current/plugin_configs/", json: ["plugin": JSONValue(pluginID)])
        #expect(missing.status == 400)
        let missingFields = Set(missing.json?["errors"]?.arrayValue?.compactMap { $0["attr"]?.stringValue } ?? [])
        #expect(missingFields == ["tag", "apiKey"])
        #expect(try await api.send(.post, "/api/projects/@current/plugin_configs/", json: ["plugin": 999]).status == 400)

        // An attachment's file name with a NUL byte would be stored cut short at it.
        let config = try await api.configure(["plugin": JSONValue(pluginID), "config": ["tag": "t", "apiKey": "k"]])
        let nulInFileName = try await HTTP.request(
            .put, port: server.port, "/api/projects/@current/plugin_configs/\(config)/attachments/wordlist/?file_name=a%00b",
            headers: ["Authorization": "Bearer \(api.key)", "Content-Type": "text/plain"], body: Array("words".utf8))
        #expect(nulInFileName.status == 400 && nulInFileName.json?["attr"] == "file_name", "\(nulInFileName.text)")
        // Not a boolean is refused, not read as "leave it as it is".
        let notBoolean = try await api.send(.patch, "/api/projects/@current/plugin_configs/\(config)/", json: ["enabled": "yes"])
        #expect(notBoolean.status == 400 && notBoolean.json?["attr"] == "enabled", "\(notBoolean.text)")
        await server.stop()
    }

    @Test func sourcePluginRoundTripsThroughDownloadAndReinstall() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        let installed = try await api.send(
            .post, "/api/organizations/@current/plugins/", json: ["plugin_type": "source", "source": Self.stamperSource])
        let id = try #require(installed.json?["id"]?.doubleValue.map(Int.init))
        let edited = try await api.send(
            .patch, "/api/organizations/@current/plugins/\(id)/source/",
            json: ["index.js": "function processEvent(event) { event.properties.edited = true; return event }", "README.md": "# Stamper"])
        #expect(edited.status == 200, "\(edited.text)")
        let download = try await api.get("/api/organizations/@current/plugins/\(id)/download/")
        #expect(download.status == 200)
        let reinstalled = try await api.send(
            .post, "/api/organizations/@current/plugins/",
            multipart: [MultipartPart(name: "archive", fileName: "stamper.zip", contentType: "application/zip", content: download.body)])
        #expect(reinstalled.status == 201, "\(reinstalled.text)")
        let newID = try #require(reinstalled.json?["id"]?.doubleValue.map(Int.init))
        let original = try await api.get("/api/organizations/@current/plugins/\(id)/source/")
        let copy = try await api.get("/api/organizations/@current/plugins/\(newID)/source/")
        #expect(original.json != nil && original.json == copy.json)
        #expect(copy.json?["README.md"] == "# Stamper")
        #expect(reinstalled.json?["capabilities"] == installed.json?["capabilities"])
        await server.stop()
    }

    @Test func openAPIDocumentListsEveryRouteAndEveryDocumentedRouteExists() async throws {
        let server = try ServerProcess()
        try await server.start()
        let document = try await HTTP.request(.get, port: server.port, "/api/openapi.json")
        let paths = try #require(document.json?["paths"]?.objectValue)
        var documented: [String: JSONValue] = [:]
        for (path, methods) in paths {
            for (method, operation) in methods.objectValue ?? JSONObject() { documented["\(method.uppercased()) \(path)"] = operation }
        }
        #expect(Set(documented.keys) == Set(try ManagementRouteTable.signatures()))
        // Each documented route is served: without a key it answers the API's 401, not the router's 404; the
        // document itself, which needs no key, answers.
        for (signature, operation) in documented {
            let parts = signature.split(separator: " ")
            let path = parts[1].replacingOccurrences(of: "{organization_id}", with: "@current")
                .replacingOccurrences(of: "{project_id}", with: "@current").replacingOccurrences(of: "{plugin_id}", with: "1")
                .replacingOccurrences(of: "{config_id}", with: "1").replacingOccurrences(of: "{key}", with: "k")
                .replacingOccurrences(of: "{item_id}", with: "1").replacingOccurrences(of: "{event_id}", with: "1")
                .replacingOccurrences(of: "{webhook_id}", with: "1").replacingOccurrences(of: "{hook_id}", with: "1")
            let result = try await HTTP.request(.init(String(parts[0]))!, port: server.port, path)
            if operation["security"] == [] {
                #expect(result.status == 200, "\(signature) → \(result.status)")
            } else {
                #expect(result.status == 401 && result.json?["code"] == "not_authenticated", "\(signature) → \(result.status)")
            }
        }
        await server.stop()
    }
}

final class EventNames: Sendable {
    private let names = Mutex<[String]>([])
    func append(_ name: String) { names.withLock { $0.append(name) } }
    var all: [String] { names.withLock { $0 } }
}
