import ChildProcesses
import Compression
import Foundation
import Hummingbird
import OrderedJSON
import QuillTestSupport
import Synchronization
import Testing

/// Values nobody expected, from clients and from plugins: each gets a clear answer and the server stays up.
@Suite(.serialized) struct HostileInputTests {
    /// Marks the events it sees; for events named `bad timestamp` it sets an impossible timestamp, for `bad team`
    /// it changes the team and a property: both undone as a throw is.
    static let meddlingPlugin: [String: String] = [
        "plugin.json": #"{"name": "meddler"}"#,
        "index.js": """
            function processEvent(event) {
              if (event.event === 'bad timestamp') { event.timestamp = 1e20; event.properties.meddled = true }
              if (event.event === 'bad team') { event.team_id = 999; event.properties.meddled = true }
              return event
            }
            """,
    ]

    @Test func craftedTimestampsAreStoredAtArrivalWithWarningsAndTheServerStaysUp() async throws {
        let server = try ServerProcess()
        try await server.start()
        let token = ServerProcess.projectToken
        let crafted = [
            #""offset": 9.3e18"#, #""offset": -9.3e18"#, #""timestamp": 1e20"#, #""timestamp": -1e20"#,
            #""timestamp": "9999-12-31T23:59:59Z", "sent_at": "0000-01-01T00:00:00Z""#,
            #""timestamp": "2999-01-01T00:00:00Z""#,
        ]
        let before = Date()
        for (index, fields) in crafted.enumerated() {
            let body = #"{"api_key": "\#(token)", "event": "crafted \#(index)", "distinct_id": "d", \#(fields)}"#
            let result = try await HTTP.post(port: server.port, "/e/", json: body)
            #expect(result.status == 200, "\(fields): \(result.text)")
        }
        let after = Date().addingTimeInterval(1)
        for index in crafted.indices {
            let events = try await HTTP.waitForEvents(port: server.port, query: "event=crafted%20\(index)", count: 1)
            let timestamp = try #require(events.first?["timestamp"]?.stringValue)
            let date = try #require(ISO8601DateFormatter.withFractions.date(from: timestamp))
            #expect(date >= before.addingTimeInterval(-1) && date <= after, "event \(index) stored at \(timestamp)")
        }
        #expect(try await HTTP.request(.get, port: server.port, "/_health").status == 200)

        let management = Management(port: server.port)
        let warnings = try #require(try await management.get("/api/projects/@current/ingestion_warnings/").json)
        let counts = Dictionary(
            uniqueKeysWithValues: (warnings["results"]?.arrayValue ?? []).compactMap { entry in
                entry["type"]?.stringValue.map { ($0, entry["count"]?.doubleValue ?? 0) }
            })
        #expect(counts["ignored_invalid_timestamp"] == 5)
        #expect(counts["event_timestamp_in_future"] == 1)
        let metrics = try await HTTP.request(.get, port: server.port, "/metrics").text
        #expect(metrics.contains(#"quill_ingestion_warnings_total{type="ignored_invalid_timestamp"} 5"#))

        // A restart reads nothing it can't take: the log is empty and the server comes up.
        await server.stop()
        try await server.start()
        #expect(try await HTTP.request(.get, port: server.port, "/_health").status == 200)
        await server.stop()
    }

    @Test func nonFiniteNumbersAreStoredAsNullAndOversizedBodiesAre413() async throws {
        let server = try ServerProcess(environment: ["QUILL_MAX_BODY_SIZE": "100000"])
        try await server.start()
        let body = #"{"api_key": "\#(ServerProcess.projectToken)", "event": "numbers", "distinct_id": "d", "properties": {"a": NaN, "b": -Infinity, "c": 1e999, "d": 2}}"#
        #expect(try await HTTP.post(port: server.port, "/e/", json: body).status == 200)
        let stored = try #require(try await HTTP.waitForEvents(port: server.port, query: "event=numbers", count: 1).first)
        #expect(stored["properties"]?["a"] == .null)
        #expect(stored["properties"]?["b"] == .null)
        #expect(stored["properties"]?["c"] == .null)
        #expect(stored["properties"]?["d"] == 2)

        let padding = String(repeating: " ", count: 200_000)
        let bomb = Zlib.gzip(Array((#"{"api_key": "\#(ServerProcess.projectToken)", "event": "big", "distinct_id": "d"}"# + padding).utf8))
        let result = try await HTTP.request(
            .post, port: server.port, "/e/?compression=gzip", headers: ["Content-Type": "application/json"], body: bomb)
        #expect(result.status == 413, "\(result.text)")
        #expect(result.json?["code"] == "payload_too_large")
        await server.stop()
    }

    @Test func aPluginsImpossibleTimestampOrTeamChangeFailsThatPluginNotTheServer() async throws {
        let server = try ServerProcess()
        let plugin = try TemporaryFolder(Self.meddlingPlugin)
        #expect(try await server.runQuill(["plugin", "install", plugin.url.path]).status == 0)
        try await server.start()
        for name in ["bad timestamp", "bad team", "fine"] {
            let body = #"{"api_key": "\#(ServerProcess.projectToken)", "event": "\#(name)", "distinct_id": "d", "timestamp": "2026-11-30T10:00:00Z"}"#
            #expect(try await HTTP.post(port: server.port, "/e/", json: body).status == 200)
        }
        for name in ["bad timestamp", "bad team"] {
            let stored = try #require(
                try await HTTP.waitForEvents(port: server.port, query: "event=\(name.urlQueryEncoded)", count: 1).first)
            #expect(stored["timestamp"] == "2026-11-30T10:00:00.000Z")
            #expect(stored["properties"]?["meddled"] == nil, "\(name): the plugin's other edits are undone too")
            #expect(stored["properties"]?["$plugins_failed"]?.arrayValue?.count == 1)
            #expect(stored["properties"]?["$plugins_succeeded"] == [])
        }
        let fine = try #require(try await HTTP.waitForEvents(port: server.port, query: "event=fine", count: 1).first)
        #expect(fine["properties"]?["$plugins_succeeded"]?.arrayValue?.count == 1)
        let logs = try await Management(port: server.port).waitForLogs(config: 1, query: "type=ERROR")
        let messages = logs.compactMap { $0["message"]?.stringValue }
        #expect(messages.contains { $0.contains("timestamp 1e+20 is not a time") || $0.contains("is not a time in the years") })
        #expect(messages.contains { $0.contains("team_id") })
        await server.stop()
    }

    @Test func aSecondServerOnATakenPortSaysSoAndExits() async throws {
        let first = try ServerProcess()
        try await first.start()
        let second = try ServerProcess()
        let result = try await second.runQuill(["serve", "--port", String(first.port)], timeLimit: .seconds(60))
        #expect(result.status == 69)
        #expect(result.output.contains("already in use"), "\(result.output)")
        #expect(result.output.split(separator: "\n").count < 20, "no flood of log lines: \(result.output.prefix(2_000))")
        await first.stop()
    }

    /// A plugin that calls a test server when it sees the event `poison`; the test kills the server then, as a
    /// crash would. After two deaths on it, the event is quarantined and everything else is served.
    @Test func anEventTheServerDiesOnTwiceIsQuarantinedAndEverythingElseIsServed() async throws {
        let calls = PoisonCalls()
        let router = Router()
        router.get("poison") { _, _ in
            calls.record()
            if calls.isDeadly { try await Task.sleep(for: .seconds(60)) }
            return Response(status: .ok)
        }
        let killer = try await LocalHTTPServer.start(router)
        defer { killer.stop() }
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "poisoned"}"#,
            "index.js": """
                async function processEvent(event) {
                  if (event.event === 'poison') await fetch('\(killer.baseURL)/poison')
                  event.properties.seen = true
                  return event
                }
                """,
        ])
        let server = try ServerProcess(environment: ["QUILL_FETCH_ALLOW": "127.0.0.1"])
        #expect(try await server.runQuill(["plugin", "install", plugin.url.path]).status == 0)
        try await server.start()

        let names = (1...4).map { "before \($0)" } + ["poison"] + (1...4).map { "after \($0)" }
        let batch = names.enumerated().map { index, name in #"{"event": "\#(name)", "distinct_id": "user-\#(index)"}"# }
        let body = #"{"api_key": "\#(ServerProcess.projectToken)", "batch": [\#(batch.joined(separator: ","))]}"#
        #expect(try await HTTP.post(port: server.port, "/batch/", json: body).status == 200)

        // Death 1: the whole batch was in flight. Death 2: the poison alone.
        for death in 1...2 {
            try await calls.wait(for: death)
            await server.kill()
            try await server.start()
        }
        let normal = names.filter { $0 != "poison" }
        for name in normal {
            let events = try await HTTP.waitForEvents(port: server.port, query: "event=\(name.urlQueryEncoded)", count: 1)
            #expect(events.count == 1, "\(name) stored exactly once")
            #expect(events.first?["properties"]?["seen"] == true)
        }
        #expect(calls.count == 2, "the quarantined event did not run a third time")
        #expect(try await HTTP.events(port: server.port, query: "event=poison").isEmpty)

        let management = Management(port: server.port)
        let quarantine = try #require(try await management.get("/api/projects/@current/quarantined_events/").json)
        let entries = quarantine["results"]?.arrayValue ?? []
        #expect(entries.count == 1)
        #expect(entries.first?["event"]?["event"] == "poison")
        #expect(entries.first?["crashes"] == 2)
        let metrics = try await HTTP.request(.get, port: server.port, "/metrics").text
        #expect(metrics.contains("quill_ingestion_quarantine_events 1"))
        #expect(metrics.contains("quill_events_quarantined_total 1"))

        // Once the cause is gone, a replay stores it.
        calls.isDeadly = false
        let id = try #require(entries.first?["id"]?.doubleValue).formatted(.number.grouping(.never))
        let replay = try await management.send(.post, "/api/projects/@current/quarantined_events/\(id)/replay/", json: [:])
        #expect(replay.status == 202, "\(replay.text)")
        let replayed = try await HTTP.waitForEvents(port: server.port, query: "event=poison", count: 1)
        #expect(replayed.first?["properties"]?["seen"] == true)
        #expect(try await management.get("/api/projects/@current/quarantined_events/").json?["results"] == [])
        await server.stop()
    }
}

/// The poison plugin's calls to the test server.
private final class PoisonCalls: Sendable {
    private let state = Mutex((count: 0, isDeadly: true))

    var count: Int { state.withLock { $0.count } }
    var isDeadly: Bool {
        get { state.withLock { $0.isDeadly } }
        set { state.withLock { $0.isDeadly = newValue } }
    }

    func record() {
        state.withLock { $0.count += 1 }
    }

    func wait(for count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while self.count < count {
            guard ContinuousClock.now < deadline else { throw ServerProcessError(description: "the plugin never called") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension ISO8601DateFormatter {
    fileprivate static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
