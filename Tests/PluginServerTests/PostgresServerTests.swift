import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// `quill serve` on PostgreSQL (`QUILL_DATABASE_URL`): plugins run, events are stored, and when PostgreSQL goes
/// away capture answers 503 and recovers by itself when it returns, every acknowledged event stored once.
@Suite(.serialized) struct PostgresServerTests {
    @Test func captureAnswers503WhilePostgreSQLIsDownAndEveryAcknowledgedEventIsStoredOnce() async throws {
        let postgres = try await PostgresTestServer.startDedicated()
        let url = try await postgres.createDatabase()
        let server = try ServerProcess(environment: ["QUILL_DATABASE_URL": url])
        let plugin = try TemporaryFolder(DurabilityTests.slowPlugin)
        #expect(try await server.runQuill(["plugin", "install", plugin.url.path]).status == 0)
        try await server.start()
        let first = try await captureAndWait(port: server.port, event: "durable", distinctID: "before")
        #expect(first?["properties"]?["slow"] == true, "the plugin ran on an event stored in PostgreSQL")
        #expect(try await HTTP.request(.get, port: server.port, "/_ready").status == 200)

        let acknowledged = UUIDSet()
        var refused = 0
        await postgres.kill()
        // Capture may take a moment to notice: the pool's connections die with the server.
        for _ in 0..<200 where refused == 0 {
            let outcome = try await Self.sendBatch(port: server.port, into: acknowledged)
            if outcome == 503 { refused += 1 }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(refused > 0, "capture answered 503 while PostgreSQL was down")
        let ready = try await HTTP.request(.get, port: server.port, "/_ready")
        #expect(ready.status == 503 && ready.text.contains("unreachable"), "\(ready.text)")

        try await postgres.restart()
        let deadline = ContinuousClock.now + .seconds(60)
        var recovered = false
        while !recovered && ContinuousClock.now < deadline {
            recovered = try await Self.sendBatch(port: server.port, into: acknowledged) == 200
            if !recovered { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(recovered, "capture took events again once PostgreSQL was back")
        for _ in 0..<5 { _ = try await Self.sendBatch(port: server.port, into: acknowledged) }

        let wanted = Set(acknowledged.all + [first?["id"]?.stringValue].compactMap { $0 })
        var stored: [JSONValue] = []
        let storedBy = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < storedBy {
            stored = try await HTTP.events(port: server.port, query: "event=durable")
            if wanted.isSubset(of: Set(stored.compactMap { $0["id"]?.stringValue })) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let ids = stored.compactMap { $0["id"]?.stringValue }
        #expect(wanted.isSubset(of: Set(ids)), "every acknowledged event stored")
        #expect(ids.count == Set(ids).count, "none stored twice")
        #expect(stored.allSatisfy { $0["properties"]?["slow"] == true })
        // Killed, not stopped: in one full run on a loaded machine the graceful stop after the outage took over a
        // minute (not seen alone; see the closing note of the issue). What is tested here is the outage itself.
        await server.kill()
    }

    /// Posts one batch of 20 fresh events; the status, and the uuids recorded when it was 200.
    static func sendBatch(port: Int, into acknowledged: UUIDSet) async throws -> Int {
        let ids = (0..<20).map { _ in UUID().uuidString.lowercased() }
        let batch = ids.map { #"{"event":"durable","distinct_id":"pg","uuid":"\#($0)","properties":{}}"# }
        let body = #"{"api_key":"\#(ServerProcess.projectToken)","batch":[\#(batch.joined(separator: ","))]}"#
        let result = try await HTTP.post(port: port, "/batch/", json: body)
        if result.status == 200 { acknowledged.insert(ids) }
        return result.status
    }
}
