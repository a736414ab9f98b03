import ChildProcesses
import Compression
import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// Requests in the forms posthog-js (1.x) sends them: every URL carries `ip`, `_` (when it was sent, in
/// milliseconds), `ver` and, for a compressed body, `compression`; gzip-js bodies go as `text/plain`, older
/// lz64 and base64 ones as a form's `data` field.
enum PostHogJS {
    static let version = "1.96.1"
    static let token = ServerProcess.projectToken

    static func query(compression: String? = nil) -> String {
        let sentAt = Int64(Date().timeIntervalSince1970 * 1000)
        return "ip=1&_=\(sentAt)&ver=\(version)" + (compression.map { "&compression=\($0)" } ?? "")
    }

    /// One flush of posthog-js's recorder: a `$snapshot` whose `$snapshot_data` is the flush's rrweb events, and
    /// whose distinct id is among the properties, as posthog-js sends recordings.
    static func snapshot(session: String, window: String, items: [JSONValue], distinctID: String = "browser-user") -> JSONValue {
        [
            "uuid": .string(UUID().uuidString.lowercased()), "event": "$snapshot",
            "properties": [
                "$snapshot_bytes": JSONValue(JSONValue.array(items).serialized().count), "$snapshot_data": .array(items),
                "$session_id": .string(session), "$window_id": .string(window), "token": .string(token),
                "distinct_id": .string(distinctID),
            ],
            "timestamp": .string(now()),
        ]
    }

    /// A `$snapshot` as older posthog-js sent them, one rrweb event each.
    static func olderSnapshot(session: String, window: String, item: JSONValue) -> JSONValue {
        [
            "event": "$snapshot",
            "properties": [
                "$snapshot_data": item, "$session_id": .string(session), "$window_id": .string(window),
                "distinct_id": "browser-user", "token": .string(token),
            ],
            "offset": 120,
        ]
    }

    /// rrweb's events: Meta (4), FullSnapshot (2) and IncrementalSnapshot (3) of a mouse move.
    static func meta(at time: Int64) -> JSONValue {
        ["type": 4, "data": ["href": "https://shop.example/cart", "width": 1280, "height": 800], "timestamp": JSONValue(Int(time))]
    }

    static func fullSnapshot(at time: Int64, text: String = "Your cart") -> JSONValue {
        let body: JSONValue = [
            "type": 2, "tagName": "body", "attributes": [:], "id": 3,
            "childNodes": [["type": 3, "textContent": .string(text), "id": 4]],
        ]
        let html: JSONValue = ["type": 2, "tagName": "html", "attributes": ["lang": "en"], "childNodes": [body], "id": 2]
        return [
            "type": 2, "data": ["node": ["type": 0, "childNodes": [html], "id": 1], "initialOffset": ["left": 0, "top": 0]],
            "timestamp": JSONValue(Int(time)),
        ]
    }

    static func mouseMove(at time: Int64) -> JSONValue {
        [
            "type": 3, "data": ["source": 1, "positions": [["x": 200, "y": 340, "id": 4, "timeOffset": -40]]],
            "timestamp": JSONValue(Int(time)),
        ]
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static var milliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A form body with each value encoded as `encodeURIComponent` does.
    static func form(_ fields: [(String, String)]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.!~*'()")
        return Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
    }
}

/// `quill serve` as a page's posthog-js meets it: the default project records sessions (turned on with
/// `quill project update`), `examples/recording-counter` counts recordings in `onSnapshot` and `hello-world`
/// changes events in `processEvent`; events may have 1 MB, recordings 3 MB.
enum RecordingServer {
    struct Running: Sendable {
        let server: ServerProcess
        let counterConfig: Int
    }

    static let shared: Task<Running, any Error> = Task {
        let server = try ServerProcess(
            environment: ["QUILL_MAX_BODY_SIZE": "1000000", "QUILL_MAX_RECORDING_BODY_SIZE": "3000000"])
        let recordings = try await server.runQuill(["project", "update", "1", "--session-recording-opt-in", "true"])
        guard recordings.status == 0 else { throw ServerProcessError(description: recordings.output) }
        let counter = try await server.runQuill([
            "plugin", "install", QuillExecutable.repositoryRoot.appending(path: "examples/recording-counter").path,
        ])
        guard counter.status == 0, let configID = counter.output.firstMatch(of: /as plugin config (\d+)/).flatMap({ Int($0.1) })
        else { throw ServerProcessError(description: counter.output) }
        let hello = try await server.runQuill([
            "plugin", "install", QuillExecutable.repositoryRoot.appending(path: "examples/hello-world").path, "--config",
            "bar=baz",
        ])
        guard hello.status == 0 else { throw ServerProcessError(description: hello.output) }
        try await server.start()
        return Running(server: server, counterConfig: configID)
    }
}

@Suite struct PostHogJSTests {
    private static let token = ServerProcess.projectToken
    private static let origin = "https://shop.example"

    // MARK: /s/

    @Test func aBrowsersRecordingReachesOnSnapshotAndIsListedBySession() async throws {
        let running = try await RecordingServer.shared.value
        let port = running.server.port
        let session = UUID().uuidString.lowercased()
        let window = UUID().uuidString.lowercased()
        let start = PostHogJS.milliseconds
        let flushes = [
            PostHogJS.snapshot(
                session: session, window: window, items: [PostHogJS.meta(at: start), PostHogJS.fullSnapshot(at: start + 5)]),
            PostHogJS.snapshot(
                session: session, window: window,
                items: [PostHogJS.mouseMove(at: start + 900), PostHogJS.mouseMove(at: start + 1_400)]),
        ]
        // posthog-js ≥ 1.x: the recorder's flushes as one gzip-js request to /s/, from the shop's page.
        let gzipped = try await HTTP.request(
            .post, port: port, "/s/?" + PostHogJS.query(compression: "gzip-js"),
            headers: ["Content-Type": "text/plain", "Origin": Self.origin],
            body: Zlib.gzip(JSONValue.array(flushes).serialized()))
        #expect(gzipped.status == 200, "\(gzipped.text)")
        #expect(gzipped.json == ["status": 1])
        #expect(gzipped.headers[.accessControlAllowOrigin] == Self.origin)
        // Older posthog-js: one rrweb event per $snapshot, lz64 in a form's data field, to /s without a slash.
        let older = PostHogJS.olderSnapshot(session: session, window: window, item: PostHogJS.mouseMove(at: start + 2_000))
        let lz64 = try await HTTP.request(
            .post, port: port, "/s?" + PostHogJS.query(),
            headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: PostHogJS.form([("data", LZString.compressToBase64(JSONValue.array([older]).serializedString)), ("compression", "lz64")]))
        #expect(lz64.status == 200, "\(lz64.text)")
        // The same tab's pageview, to /e/; and another session's recording, which the session's list leaves out.
        let pageview: JSONValue = [
            "event": "$pageview",
            "properties": [
                "$current_url": "https://shop.example/cart", "$session_id": .string(session), "$window_id": .string(window),
                "distinct_id": "browser-user", "token": .string(Self.token), "$lib": "web", "$lib_version": .string(PostHogJS.version),
            ],
            "timestamp": .string(PostHogJS.now()),
        ]
        let captured = try await HTTP.request(
            .post, port: port, "/e/?" + PostHogJS.query(compression: "gzip-js"), headers: ["Content-Type": "text/plain"],
            body: Zlib.gzip(JSONValue.array([pageview]).serialized()))
        #expect(captured.status == 200, "\(captured.text)")
        // PostHog's newer form of a batch, the rrweb events in $snapshot_items, by GET with base64 `data`.
        let items: JSONValue = [
            "event": "$snapshot_items",
            "properties": [
                "$session_id": .string(session), "$window_id": .string(window), "$snapshot_source": "web",
                "$snapshot_items": [PostHogJS.mouseMove(at: start + 3_000), PostHogJS.mouseMove(at: start + 3_100)],
                "distinct_id": "browser-user", "token": .string(Self.token),
            ],
        ]
        let data = Data(items.serialized()).base64EncodedString().urlQueryEncoded
        let viaGET = try await HTTP.request(.get, port: port, "/s/?data=\(data)&" + PostHogJS.query(compression: "base64"))
        #expect(viaGET.status == 200, "\(viaGET.text)")
        let otherSession = UUID().uuidString.lowercased()
        let elsewhere = PostHogJS.snapshot(session: otherSession, window: window, items: [PostHogJS.meta(at: start)])
        #expect(try await HTTP.request(
            .post, port: port, "/s/?" + PostHogJS.query(), headers: ["Content-Type": "text/plain"],
            body: JSONValue.array([elsewhere]).serialized()).status == 200)

        // onSnapshot got each batch once, from the durable work queue; processEvent (hello-world) got none of them.
        let lines = try await logLines(port: port, config: running.counterConfig, containing: session, count: 4)
        #expect(Set(lines.compactMap { $0.firstMatch(of: #/recording batch (\d+) /#).map { String($0.1) } }) == ["1", "2", "3", "4"])
        let described = lines.map { $0.replacing(#/recording batch \d+ /#, with: "recording batch N ") }.sorted()
        #expect(described == [
            "Session \(session): recording batch N with 1 rrweb event (0 full snapshots) from window \(window)",
            "Session \(session): recording batch N with 2 rrweb events (0 full snapshots) from window \(window)",
            "Session \(session): recording batch N with 2 rrweb events (0 full snapshots) from window \(window)",
            "Session \(session): recording batch N with 2 rrweb events (1 full snapshot) from window \(window)",
        ])

        let sessionEvents = try await HTTP.waitForEvents(port: port, query: "session_id=\(session)", count: 5)
        #expect(sessionEvents.count == 5)
        let batch = try await HTTP.events(port: port, query: "session_id=\(session)&event=%24snapshot_items")
        #expect(batch.count == 1 && batch.first?["properties"]?["$snapshot_items"] == items["properties"]?["$snapshot_items"])
        #expect(batch.first?["properties"]?["hello"] == nil)
        #expect(sessionEvents.filter { $0["event"] == "$pageview" }.first?["properties"]?["hello"] == "world")
        let recording = try await HTTP.events(port: port, query: "session_id=\(session)&event=%24snapshot")
        #expect(recording.count == 3)
        #expect(recording.allSatisfy { $0["properties"]?["hello"] == nil && $0["distinct_id"] == "browser-user" })
        let storedData = Set(recording.compactMap { $0["properties"]?["$snapshot_data"]?.serializedString })
        let sentData = Set((flushes + [older]).compactMap { $0["properties"]?["$snapshot_data"]?.serializedString })
        #expect(storedData == sentData)
        #expect(try await HTTP.waitForEvents(port: port, query: "session_id=\(otherSession)", count: 1).count == 1)
    }

    @Test func aRecordingWithoutASessionIsRefusedAndOneBadItemIsSkipped() async throws {
        let port = try await RecordingServer.shared.value.server.port
        var unsessioned = try #require(PostHogJS.snapshot(session: "s", window: "w", items: [PostHogJS.meta(at: 1)]).objectValue)
        var properties = try #require(unsessioned["properties"]?.objectValue)
        properties["$session_id"] = nil
        unsessioned["properties"] = .object(properties)
        let refused = try await HTTP.request(
            .post, port: port, "/s/?" + PostHogJS.query(), headers: ["Content-Type": "text/plain"],
            body: JSONValue.array([.object(unsessioned)]).serialized())
        #expect(refused.status == 400)
        #expect(refused.json?["detail"]?.stringValue?.contains("properties.$session_id") == true, "\(refused.text)")

        let session = UUID().uuidString.lowercased()
        let good = PostHogJS.snapshot(session: session, window: "w", items: [PostHogJS.meta(at: 1)])
        let mixed = try await HTTP.request(
            .post, port: port, "/s/?" + PostHogJS.query(), headers: ["Content-Type": "text/plain"],
            body: JSONValue.array([.object(unsessioned), good]).serialized())
        #expect(mixed.status == 200)
        #expect(mixed.json?["invalid_events"]?.arrayValue?.first?["index"] == 0)
        #expect(try await HTTP.waitForEvents(port: port, query: "session_id=\(session)", count: 1).count == 1)
    }

    @Test func recordingsHaveTheirOwnBodyLimit() async throws {
        let port = try await RecordingServer.shared.value.server.port
        let session = UUID().uuidString.lowercased()
        // A page of 1.5 MB: over the events' 1 MB, under the recordings' 3 MB.
        let large = JSONValue.array([
            PostHogJS.snapshot(session: session, window: "w", items: [PostHogJS.fullSnapshot(at: 1, text: String(repeating: "a", count: 1_500_000))])
        ]).serialized()
        let recorded = try await HTTP.request(.post, port: port, "/s/", headers: ["Content-Type": "text/plain"], body: large)
        #expect(recorded.status == 200, "\(recorded.text)")
        let asEvent = try await HTTP.request(.post, port: port, "/e/", headers: ["Content-Type": "text/plain"], body: large)
        #expect(asEvent.status == 413)
        #expect(asEvent.json?["detail"]?.stringValue?.contains("1000000 bytes") == true)

        let tooLarge = JSONValue.array([
            PostHogJS.snapshot(session: session, window: "w", items: [PostHogJS.fullSnapshot(at: 1, text: String(repeating: "a", count: 3_500_000))])
        ]).serialized()
        let refused = try await HTTP.request(
            .post, port: port, "/s/?compression=gzip-js", headers: ["Content-Type": "text/plain"], body: Zlib.gzip(tooLarge))
        #expect(refused.status == 413)
        #expect(refused.json?["detail"]?.stringValue?.contains("3000000 bytes (after decompression)") == true, "\(refused.text)")
        #expect(try await HTTP.waitForEvents(port: port, query: "session_id=\(session)", count: 1).count == 1)
    }

    /// The config's log lines containing `text`, once there are `count` of them (polled for up to 30 s).
    private func logLines(port: Int, config: Int, containing text: String, count: Int) async throws -> [String] {
        let api = Management(port: port)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let entries = try await api.get("/api/projects/@current/plugin_configs/\(config)/logs/?search=\(text.urlQueryEncoded)")
                .json?["results"]?.arrayValue ?? []
            let lines = entries.compactMap { $0["message"]?.stringValue }
            if lines.count >= count || ContinuousClock.now > deadline { return lines }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: /decide/ and /flags/

    /// posthog-js's load request to /decide/?v=3 in each form it has sent it: (name, path, headers, body).
    static let decideRequests: [(String, String, [String: String], [UInt8]?)] = {
        let payload = #"{"token":"\#(token)","distinct_id":"0192b1f4-cccc-7000-8000-000000000001","groups":{}}"#
        let base64 = Data(payload.utf8).base64EncodedString()
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        return [
            ("base64 form", "/decide/?v=3&" + PostHogJS.query(), form, PostHogJS.form([("data", base64)])),
            ("base64 form, labelled", "/decide/?v=3&" + PostHogJS.query(compression: "base64"), form, PostHogJS.form([("data", base64)])),
            ("json", "/decide/?v=3&" + PostHogJS.query(), ["Content-Type": "application/json"], Array(payload.utf8)),
            ("gzip-js", "/decide?v=3&" + PostHogJS.query(compression: "gzip-js"), ["Content-Type": "text/plain"],
             Zlib.gzip(Array(payload.utf8))),
            ("get with the token in the query", "/decide/?v=3&token=\(token)", [:], nil),
        ]
    }()

    @Test(arguments: decideRequests.map(\.0))
    func decideAnswersPostHogJSsLoadRequest(name: String) async throws {
        let port = try await RecordingServer.shared.value.server.port
        let (_, path, headers, body) = Self.decideRequests.first { $0.0 == name }!
        let answer = try await HTTP.request(body == nil ? .get : .post, port: port, path, headers: headers, body: body)
        #expect(answer.status == 200, "\(answer.text)")
        let json = try #require(answer.json)
        #expect(json["featureFlags"] == .object(JSONObject()))
        #expect(json["featureFlagPayloads"] == .object(JSONObject()))
        #expect(json["errorsWhileComputingFlags"] == false)
        #expect(json["supportedCompression"] == ["gzip", "gzip-js", "lz64"])
        #expect(json["config"] == ["enable_collect_everything": true])
        #expect(json["siteApps"] == [])
        #expect(json["isAuthenticated"] == false)
        #expect(json["toolbarParams"] == .object(JSONObject()))
        #expect(json["analytics"] == ["endpoint": "/i/v0/e/"])
        for off in ["capturePerformance", "autocapture_opt_out", "heatmaps", "surveys"] { #expect(json[off] == false, "\(off)") }
        let recording = try #require(json["sessionRecording"]?.objectValue)
        #expect(recording["endpoint"] == "/s/")
        #expect(recording["recorderVersion"] == "v2")
        #expect(recording["consoleLogRecordingEnabled"] == true)
        #expect(recording["sampleRate"] == JSONValue.null)
    }

    @Test func eachVersionGetsTheShapeItExpects() async throws {
        let port = try await RecordingServer.shared.value.server.port
        let body = Array(#"{"token":"\#(Self.token)","distinct_id":"ada"}"#.utf8)
        func ask(_ path: String) async throws -> JSONObject {
            let answer = try await HTTP.request(.post, port: port, path, headers: ["Content-Type": "application/json"], body: body)
            #expect(answer.status == 200, "\(path): \(answer.text)")
            return try #require(answer.json?.objectValue)
        }
        #expect(try await ask("/decide/")["featureFlags"] == [])
        #expect(try await ask("/decide/?v=1")["featureFlags"] == [])
        #expect(try await ask("/decide/?v=2")["featureFlags"] == .object(JSONObject()))
        let decideV4 = try await ask("/decide/?v=4")
        #expect(decideV4["flags"] == .object(JSONObject()) && decideV4["featureFlags"] == nil)
        #expect(decideV4["sessionRecording"]?.objectValue != nil)

        let legacy = try await ask("/flags/")
        #expect(legacy["featureFlags"] == .object(JSONObject()) && legacy["featureFlagPayloads"] == .object(JSONObject()))
        #expect(legacy["sessionRecording"] == nil)
        let flags = try await ask("/flags/?v=2")
        #expect(flags["flags"] == .object(JSONObject()) && flags["errorsWhileComputingFlags"] == false)
        #expect(UUID(uuidString: flags["requestId"]?.stringValue ?? "") != nil)
        #expect(flags["sessionRecording"] == nil && flags["config"] == nil)
        // posthog-js ≥ 1.2xx asks /flags/ for its configuration too.
        let withConfig = try await ask("/flags?v=2&config=true&" + PostHogJS.query())
        #expect(withConfig["flags"] == .object(JSONObject()))
        #expect(withConfig["sessionRecording"]?["endpoint"] == "/s/")
        #expect(withConfig["supportedCompression"] == ["gzip", "gzip-js", "lz64"])
    }

    @Test func postHogsPythonSDKReadsTheFlagsAnswer() async throws {
        let server = try await RecordingServer.shared.value.server
        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/posthog_python_flags.py")
        let python = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script.path, server.baseURL, Self.token])
        try #require(python.status == 0, "python client failed: \(python.errorText)")
        let printed = try JSONValue.parse(Array(python.standardOutput))
        #expect(printed["flags"] == ["featureFlags": [:], "featureFlagPayloads": [:]])
        #expect(printed["answer"]?["flags"] == .object(JSONObject()))
    }

    @Test func decideRefusesAMissingOrUnknownTokenAndABadRequest() async throws {
        let port = try await RecordingServer.shared.value.server.port
        let json = ["Content-Type": "application/json"]
        let cases: [(String, [UInt8], Int, String)] = [
            ("/decide/?v=3", Array(#"{"distinct_id":"ada"}"#.utf8), 401, "missing_api_key"),
            ("/decide/?v=3", Array(#"{"token":"phc_unknown","distinct_id":"ada"}"#.utf8), 401, "invalid_api_key"),
            ("/flags/?v=2", Array(#"{"token":"phc_unknown","distinct_id":"ada"}"#.utf8), 401, "invalid_api_key"),
            ("/flags/?v=2", [], 401, "missing_api_key"),
            ("/decide/?v=three", Array(#"{"token":"\#(Self.token)"}"#.utf8), 400, "invalid_input"),
            ("/decide/?v=3", Array(#"{"token":"#.utf8), 400, "invalid_payload"),
            ("/flags/?v=2&compression=gzip-js", Array("not gzip".utf8), 400, "invalid_payload"),
            ("/decide/?v=3", Array("42".utf8), 400, "invalid_payload"),
        ]
        for (path, body, status, code) in cases {
            let answer = try await HTTP.request(.post, port: port, path, headers: json.merging(["Origin": Self.origin]) { $1 }, body: body)
            #expect(answer.status == status, "\(path) \(String(decoding: body, as: UTF8.self)): \(answer.text)")
            #expect(answer.json?["code"]?.stringValue == code, "\(answer.text)")
            #expect(answer.json?["type"] != nil && answer.json?["detail"] != nil)
            // A page can read why it was refused.
            #expect(answer.headers[.accessControlAllowOrigin] == Self.origin)
        }
    }

    // MARK: CORS

    static let browserPaths = ["e", "capture", "track", "engage", "batch", "i/v0/e", "s", "decide", "flags"]

    @Test(arguments: browserPaths)
    func browsersMayCallEveryClientPathFromTheirSite(path: String) async throws {
        let port = try await RecordingServer.shared.value.server.port
        for route in ["/\(path)", "/\(path)/"] {
            let preflight = try await HTTP.request(
                .options, port: port, route + "?v=3",
                headers: [
                    "Origin": Self.origin, "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type,traceparent",
                ])
            #expect((200..<300).contains(preflight.status), "\(route): \(preflight.status)")
            #expect(preflight.headers[.accessControlAllowOrigin] == Self.origin)
            #expect(preflight.headers[.accessControlAllowCredentials] == "true")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(preflight.headers[.accessControlAllowHeaders] == "content-type,traceparent")
        }
        let body = path == "decide" || path == "flags"
            ? #"{"token":"\#(Self.token)","distinct_id":"ada"}"#
            : #"{"token":"\#(Self.token)","event":"cors \#(path)","distinct_id":"ada","properties":{}}"#
        let answer = try await HTTP.request(
            .post, port: port, "/\(path)/", headers: ["Content-Type": "text/plain", "Origin": Self.origin], body: Array(body.utf8))
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.headers[.accessControlAllowOrigin] == Self.origin)
        #expect(answer.headers[.accessControlAllowCredentials] == "true")
        // Without an Origin (a server, not a page) nothing is added.
        let plain = try await HTTP.request(.post, port: port, "/\(path)/", headers: ["Content-Type": "text/plain"], body: Array(body.utf8))
        #expect(plain.headers[.accessControlAllowOrigin] == nil)
    }

    @Test func theManagementAPIIsNotOpenedToOtherSites() async throws {
        let port = try await RecordingServer.shared.value.server.port
        let answer = try await HTTP.request(
            .get, port: port, "/api/projects/@current/",
            headers: ["Origin": Self.origin, "Authorization": "Bearer \(ServerProcess.personalAPIKey)"])
        #expect(answer.status == 200)
        #expect(answer.headers[.accessControlAllowOrigin] == nil)
    }

    // MARK: The project setting

    @Test func recordingsAreOffUntilTheProjectTurnsThemOnWithinItsOrganization() async throws {
        let server = try ServerProcess()
        let created = try await server.runQuill(["organization", "create", "Other Co"])
        let otherKey = try #require(
            created.output.split(separator: "\n").last { $0.contains("Personal API key") }?.split(separator: " ").last.map(String.init))
        try await server.start()
        let port = server.port
        let api = Management(port: port)
        func recording() async throws -> JSONValue? {
            let answer = try await HTTP.post(port: port, "/decide/?v=3", json: #"{"token":"\#(Self.token)","distinct_id":"ada"}"#)
            return answer.json?["sessionRecording"]
        }

        let shown = try await api.get("/api/projects/@current/")
        #expect(shown.status == 200)
        #expect(shown.json?["id"] == 1 && shown.json?["api_token"] == .string(Self.token))
        #expect(shown.json?["session_recording_opt_in"] == false)
        #expect(try await recording() == false)

        let turnedOn = try await api.send(.patch, "/api/projects/1/", json: ["session_recording_opt_in": true])
        #expect(turnedOn.status == 200, "\(turnedOn.text)")
        #expect(turnedOn.json?["session_recording_opt_in"] == true)
        #expect(try await api.get("/api/projects/1/").json?["session_recording_opt_in"] == true)
        #expect(try await recording()?["endpoint"] == "/s/")

        let notABool = try await api.send(.patch, "/api/projects/1/", json: ["session_recording_opt_in": "yes"])
        #expect(notABool.status == 400 && notABool.json?["attr"] == "session_recording_opt_in")
        let otherField = try await api.send(.patch, "/api/projects/1/", json: ["name": "Renamed"])
        #expect(otherField.status == 400 && otherField.json?["attr"] == "name")
        #expect(try await api.get("/api/projects/1/").json?["name"] == "Default project")

        // Another organization's key neither sees nor changes the project; a missing key is refused.
        let other = Management(port: port, key: otherKey)
        #expect(try await other.get("/api/projects/1/").status == 404)
        #expect(try await other.send(.patch, "/api/projects/1/", json: ["session_recording_opt_in": false]).status == 404)
        #expect(try await other.get("/api/projects/@current/").json?["session_recording_opt_in"] == false)
        #expect(try await HTTP.request(.get, port: port, "/api/projects/1/").status == 401)
        #expect(try await recording()?["endpoint"] == "/s/")

        // The command line changes it too, and the running server answers the change at once.
        let turnedOff = try await server.runQuill(["project", "update", "1", "--session-recording-opt-in", "false"])
        #expect(turnedOff.status == 0, "\(turnedOff.output)")
        #expect(turnedOff.output.contains("Project 1: session recordings off."))
        #expect(try await recording() == false)
        let missing = try await server.runQuill(["project", "update", "99", "--session-recording-opt-in", "true"])
        #expect(missing.status != 0 && missing.output.contains("There is no project 99"))
        await server.stop()
    }
}
