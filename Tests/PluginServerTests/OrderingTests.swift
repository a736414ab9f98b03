import Foundation
import OrderedJSON
import QuillTestSupport
import Testing

/// Events of one `distinct_id` reach the plugin chain in the order they were accepted.
@Suite struct OrderingTests {
    @Test func eachDistinctIDIsProcessedInAcceptanceOrder() async throws {
        let server = try ServerProcess()
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "order checker"}"#,
            "index.js": """
                async function processEvent(event, { cache }) {
                  const previous = await cache.get(event.distinct_id, -1)
                  event.properties.in_order = event.properties.n === previous + 1
                  await cache.set(event.distinct_id, event.properties.n)
                  return event
                }
                """,
        ])
        #expect(try await server.runQuill(["plugin", "install", plugin.path]).status == 0)
        try await server.start()

        // 4 senders, each its own 10 users, 30 requests of 10 events: every user's n counts up across requests.
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<4 {
                group.addTask {
                    for request in 0..<30 {
                        let events = (0..<10).map { index in
                            #"{"event":"ordered","distinct_id":"s\#(sender)-u\#(index)","properties":{"n":\#(request)}}"#
                        }
                        let body = #"{"api_key":"\#(ServerProcess.projectToken)","batch":[\#(events.joined(separator: ","))]}"#
                        _ = try? await HTTP.post(port: server.port, "/batch/", json: body)
                    }
                }
            }
        }
        let events = try await HTTP.waitForEvents(port: server.port, query: "event=ordered", count: 1_200)
        #expect(events.count == 1_200)
        let outOfOrder = events.filter { $0["properties"]?["in_order"] != true }
        #expect(outOfOrder.isEmpty, "\(outOfOrder.prefix(3).map(\.serializedString))")
        await server.stop()
    }
}
