import Foundation
import OrderedJSON
import QuillTestSupport
import Storage
import StorageSQLite
import Synchronization
import Testing

/// Acknowledged events survive a crash (SIGKILL) and a graceful stop, each stored exactly once.
@Suite(.serialized) struct DurabilityTests {
    /// A plugin slow enough (about 1 ms an event) that the log holds a backlog while events stream in.
    static let slowPlugin: [String: String] = [
        "plugin.json": #"{"name": "slow"}"#,
        "index.js": """
            function processEvent(event) {
              const until = Date.now() + 1
              while (Date.now() < until) {}
              event.properties.slow = true
              return event
            }
            """,
    ]

    @Test func everyAcknowledgedEventIsStoredOnceAfterSIGKILL() async throws {
        let server = try ServerProcess()
        let plugin = try TemporaryFolder(Self.slowPlugin)
        #expect(try await server.runQuill(["plugin", "install", plugin.url.path]).status == 0)
        try await server.start()

        let acknowledged = UUIDSet()
        let sender = EventStream(port: server.port)
        let sending = Task { await sender.send(into: acknowledged, senders: 4) }
        // Kill while the log holds a backlog: on a loaded machine the senders may be slower than the plugin.
        let database = try SQLiteDatabase(path: server.dataDirectory.appending(path: "quill.sqlite").path)
        let log = SQLiteIngestionStore(database: database)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if acknowledged.count >= 3_000, try await log.pendingCount() >= 100 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        await server.kill()
        await sending.value

        // The crash left accepted events unprocessed in the log.
        let backlog = try await log.pendingCount()
        #expect(backlog > 0, "the kill should find a backlog to recover")

        try await server.start()
        let acknowledgedIDs = acknowledged.all
        let events = try await waitForAll(acknowledgedIDs, port: server.port)
        var seen: [String: Int] = [:]
        for event in events {
            if let id = event["id"]?.stringValue { seen[id, default: 0] += 1 }
            #expect(event["properties"]?["slow"] == true)
        }
        #expect(acknowledgedIDs.allSatisfy { seen[$0] == 1 }, "every acknowledged event stored exactly once")
        #expect(seen.values.allSatisfy { $0 == 1 })
        #expect(try await log.pendingCount() == 0)
        await server.stop()
    }

    @Test func gracefulStopDrainsTheLog() async throws {
        let server = try ServerProcess()
        let plugin = try TemporaryFolder(Self.slowPlugin)
        #expect(try await server.runQuill(["plugin", "install", plugin.url.path]).status == 0)
        try await server.start()
        let acknowledged = UUIDSet()
        await EventStream(port: server.port, limit: 1_000).send(into: acknowledged, senders: 2)
        await server.stop()

        let database = try SQLiteDatabase(path: server.dataDirectory.appending(path: "quill.sqlite").path)
        let log = SQLiteIngestionStore(database: database)
        #expect(try await log.pendingCount() == 0)
        let stored = try await log.events(EventQuery(teamID: 1, limit: 10_000))
        #expect(Set(stored.map(\.event.uuid)) == Set(acknowledged.all))
    }

    private func waitForAll(_ ids: [String], port: Int) async throws -> [JSONValue] {
        let wanted = Set(ids)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let events = try await HTTP.events(port: port, query: "event=durable")
            let found = Set(events.compactMap { $0["id"]?.stringValue })
            if wanted.isSubset(of: found) || ContinuousClock.now > deadline { return events }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Sends batches of 20 `durable` events with fresh uuids until the server stops answering (or `limit`).
struct EventStream {
    let port: Int
    var limit = Int.max

    func send(into acknowledged: UUIDSet, senders: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    var sent = 0
                    while sent < limit / senders {
                        let ids = (0..<20).map { _ in UUID().uuidString.lowercased() }
                        let batch = ids.enumerated().map { index, id in
                            #"{"event":"durable","distinct_id":"sender-\#(sender)-\#(index % 5)","uuid":"\#(id)","properties":{"n":\#(sent + index)}}"#
                        }
                        let body = #"{"api_key":"\#(ServerProcess.projectToken)","batch":[\#(batch.joined(separator: ","))]}"#
                        guard let result = try? await HTTP.post(port: port, "/batch/", json: body), result.status == 200 else {
                            return
                        }
                        acknowledged.insert(ids)
                        sent += ids.count
                    }
                }
            }
        }
    }
}

final class UUIDSet: Sendable {
    private let ids = Mutex<[String]>([])
    func insert(_ new: [String]) { ids.withLock { $0.append(contentsOf: new) } }
    var count: Int { ids.withLock { $0.count } }
    var all: [String] { ids.withLock { $0 } }
}
