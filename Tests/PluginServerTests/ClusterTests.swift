import ChildProcesses
import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// Three `quill serve` processes sharing one PostgreSQL and one Redis, as a deployment that outgrew one machine.
@Suite(.serialized) struct ClusterTests {
    static let plugin: [String: String] = [
        "plugin.json": """
            {"name": "cluster", "config": [
                {"key": "tag", "type": "string", "required": true},
                {"key": "destination", "type": "string", "required": true}]}
            """,
        "index.js": """
            export async function processEvent(event, { cache, config }) {
                event.properties = event.properties || {}
                // Redis is shared: the count per distinct_id is the order the cluster processed its events in.
                event.properties.order = await cache.incr('order:' + event.distinct_id)
                event.properties.tag = config.tag
                return event
            }
            async function send(config, values) {
                const response = await fetch(config.destination, {
                    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(values) })
                if (!response.ok) throw new RetryError('destination answered ' + response.status)
            }
            export async function exportEvents(events, { config }) {
                await send(config, events.map((event) => event.uuid))
            }
            export async function runEveryMinute({ config }) {
                await send(config, ['minute-' + Math.floor(Date.now() / 60000)])
            }
            """,
    ]

    @Test func threeInstancesShareTheWorkThroughAKillAndARestart() async throws {
        let postgres = try await PostgresTestServer.shared()
        let database = try await postgres.createDatabase()
        let redis = try await RedisTestServer.start()
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        let secretKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let environment = [
            "QUILL_DATABASE_URL": database, "QUILL_REDIS_URL": redis.url, "QUILL_SECRET_KEY": secretKey,
            "QUILL_FETCH_ALLOW": "127.0.0.1",
        ]
        let servers = try (0..<3).map { _ in try ServerProcess(environment: environment) }
        let plugin = try TemporaryFolder(Self.plugin)
        let install = try await servers[0].runQuill([
            "plugin", "install", plugin.url.path, "--config", "tag=v1", "--config", "destination=\(destination.url)",
        ])
        try #require(install.status == 0, "\(install.output)")
        // Fixed ports, so the killed instance comes back where the SDK sends to.
        var ports: [Int] = []
        for server in servers {
            try await server.start(port: try LoopbackPort().port)
            ports.append(server.port)
        }

        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/posthog_cluster_client.py")
        let hosts = ports.map { "http://127.0.0.1:\($0)" }.joined(separator: ",")
        let client = Task {
            try await ChildProcess.run(
                URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script.path, hosts, ServerProcess.projectToken, "20000"],
                timeLimit: .seconds(600))
        }
        // Mid-stream, the second instance dies as a crash would, and comes back a little later on its port.
        let killAt = ContinuousClock.now + .seconds(120)
        while try await Self.storedCount(postgres, database) < 4_000 && ContinuousClock.now < killAt {
            try await Task.sleep(for: .milliseconds(100))
        }
        await servers[1].kill()
        try await Task.sleep(for: .seconds(2))
        try await servers[1].start(port: ports[1])

        let python = try await client.value
        try #require(python.status == 0, "python client failed: \(python.errorText)")
        let output = try JSONValue.parse(Array(python.standardOutput))
        let failed = Set((output["failed"]?.arrayValue ?? []).compactMap(\.stringValue))
        let sent = (output["sent"]?.arrayValue ?? []).compactMap { row -> (uuid: String, distinctID: String, n: Int)? in
            guard let values = row.arrayValue, values.count == 3, let uuid = values[0].stringValue,
                let distinctID = values[1].stringValue, let n = values[2].doubleValue
            else { return nil }
            return (uuid, distinctID, Int(n))
        }
        #expect(sent.count == 20_000)
        let acknowledged = sent.filter { !failed.contains($0.uuid) }

        // Every acknowledged event stored (once: the table keeps one row per uuid), in each distinct_id's order.
        var stored: [String: (distinctID: String, n: Int, order: Int, tag: String)] = [:]
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            stored = try await Self.storedEvents(postgres, database)
            if acknowledged.allSatisfy({ stored[$0.uuid] != nil }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let missing = acknowledged.filter { stored[$0.uuid] == nil }
        #expect(missing.isEmpty, "\(missing.count) acknowledged events not stored, e.g. \(missing.prefix(3))")
        #expect(stored.values.allSatisfy { $0.tag == "v1" })
        for (distinctID, events) in Dictionary(grouping: stored.values, by: \.distinctID) {
            let byProcessing = events.sorted { $0.order < $1.order }.map(\.n)
            #expect(byProcessing == byProcessing.sorted(), "\(distinctID)'s events were processed out of order")
        }

        // A config change made through one instance reaches the others: the first instance makes it and dies at
        // once, so only the others can process what comes next.
        let api = Management(port: ports[0])
        let configs = try await api.get("/api/projects/@current/plugin_configs/").json?["results"]?.arrayValue ?? []
        let configID = try #require(configs.first?["id"]?.doubleValue.map(Int.init))
        let changed = try await api.send(.patch, "/api/projects/@current/plugin_configs/\(configID)/", json: ["config": ["tag": "v2"]])
        #expect(changed.status == 200, "\(changed.text)")
        let changedAt = ContinuousClock.now
        await servers[0].kill()
        var propagated: Duration?
        while propagated == nil && ContinuousClock.now - changedAt < .seconds(60) {
            let name = "after-change-\(UUID().uuidString)"
            let event = try await Self.captureAndWait(port: ports[2], event: name)
            if event?["properties"]?["tag"] == "v2" { propagated = ContinuousClock.now - changedAt }
        }
        #expect(propagated != nil, "the change never reached the other instances")
        print("ClusterTests: a config change reached the other instances' VMs within \(propagated ?? .zero)")

        // Exports: every acknowledged event delivered; a batch in flight at the kill may be delivered again.
        let exportDeadline = ContinuousClock.now + .seconds(300)
        var delivered: [String: Int] = [:]
        while ContinuousClock.now < exportDeadline {
            delivered = Dictionary(destination.received.map { ($0, 1) }, uniquingKeysWith: +)
            if acknowledged.allSatisfy({ delivered[$0.uuid] != nil }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(acknowledged.allSatisfy { delivered[$0.uuid] != nil }, "every acknowledged event exported")
        let redelivered = acknowledged.filter { (delivered[$0.uuid] ?? 0) > 1 }.count
        print("ClusterTests: \(redelivered) of \(acknowledged.count) events exported twice (batches in flight at the kill)")

        // runEveryMinute: each minute boundary ran once across the instances. Waits for the next boundary.
        let secondsToNextMinute = 60 - Int(Date().timeIntervalSince1970) % 60
        try await Task.sleep(for: .seconds(secondsToNextMinute + 5))
        let minutes = destination.received.filter { $0.hasPrefix("minute-") }
        #expect(!minutes.isEmpty)
        #expect(minutes.count == Set(minutes).count, "a minute ran twice: \(minutes)")
        for server in servers { await server.stop() }
    }

    static func storedCount(_ postgres: PostgresTestServer, _ database: String) async throws -> Int {
        Int(try await postgres.psql("SELECT count(*) FROM event", database: database).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func storedEvents(_ postgres: PostgresTestServer, _ database: String) async throws
        -> [String: (distinctID: String, n: Int, order: Int, tag: String)]
    {
        let rows = try await postgres.psql(
            """
            SELECT uuid, distinct_id, properties::json->>'n', properties::json->>'order', properties::json->>'tag'
            FROM event WHERE event = 'cluster'
            """, database: database)
        var events: [String: (distinctID: String, n: Int, order: Int, tag: String)] = [:]
        for line in rows.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let n = Int(fields[2]), let order = Int(fields[3]) else { continue }
            events[fields[0]] = (fields[1], n, order, fields[4])
        }
        return events
    }

    static func captureAndWait(port: Int, event name: String) async throws -> JSONValue? {
        let body = #"{"api_key":"\#(ServerProcess.projectToken)","event":"\#(name)","distinct_id":"after","properties":{}}"#
        _ = try await HTTP.post(port: port, "/e/", json: body)
        return try await HTTP.waitForEvents(port: port, query: "event=\(name)", count: 1).first
    }
}
