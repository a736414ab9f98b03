import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// Action webhooks and REST hooks through a real `quill serve`: made with the management API, fed by
/// captured events after the plugin chain, delivered to a real HTTP server on 127.0.0.1.
@Suite struct HooksAPITests {
    /// A server whose fetch policy lets deliveries reach the loopback destination.
    static func server() throws -> ServerProcess {
        try ServerProcess(environment: ["QUILL_FETCH_ALLOW": "127.0.0.1"])
    }

    static func capture(port: Int, _ event: String, properties: JSONValue) async throws {
        let body: JSONValue = [
            "api_key": .string(ServerProcess.projectToken), "event": .string(event), "distinct_id": "user-7", "properties": properties,
        ]
        let result = try await HTTP.post(port: port, "/e/", json: body.serializedString)
        #expect(result.status == 200, "\(result.text)")
    }

    static func created(_ result: HTTPResult) throws -> Int {
        guard result.status == 201, let id = result.json?["id"]?.doubleValue else {
            throw ServerProcessError(description: "create answered \(result.status): \(result.text)")
        }
        return Int(id)
    }

    @Test func eachServiceGetsItsPayloadForAMatchingEvent() async throws {
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        let server = try Self.server()
        try await server.start()
        let api = Management(port: server.port)
        let template = "[user.name] did [event.name] on [event.properties.$current_url]"
        for service in ["slack", "discord", "teams", "json"] {
            _ = try Self.created(
                try await api.send(
                    .post, "/api/projects/@current/action_webhooks/",
                    json: [
                        "name": .string("Pricing \(service)"), "event": "viewed pricing", "service": .string(service),
                        "url": .string(destination.url), "message_format": .string(template),
                        "property_filters": [["key": "plan", "value": ["pro", "team"], "operator": "exact"]],
                    ]))
        }
        let properties: JSONValue = ["$current_url": "https://example.com/pricing", "plan": "pro", "$set": ["email": "ada@example.com"]]
        try await Self.capture(port: server.port, "viewed pricing", properties: ["plan": "free"])  // filtered out
        try await Self.capture(port: server.port, "viewed docs", properties: properties)  // another event
        try await Self.capture(port: server.port, "viewed pricing", properties: properties)
        try await eventually("four messages") { destination.bodies.count >= 4 }

        let link = "http://127.0.0.1:\(server.port)/api/projects/1/events/?distinct_id=user%2D7"
        let bodies = destination.bodies
        #expect(bodies.count == 4)
        #expect(
            bodies.first { $0["blocks"] != nil } == [
                "text": "ada@example.com did viewed pricing on https://example.com/pricing",
                "blocks": [
                    [
                        "type": "section",
                        "text": [
                            "type": "mrkdwn", "text": .string("<\(link)|ada@example.com> did viewed pricing on https://example.com/pricing"),
                        ],
                    ]
                ],
            ])
        #expect(bodies.contains(["content": .string("[ada@example.com](\(link)) did viewed pricing on https://example.com/pricing")]))
        #expect(bodies.contains(["text": .string("[ada@example.com](\(link)) did viewed pricing on https://example.com/pricing")]))
        let json = try #require(bodies.first { $0["action"] != nil })
        #expect(json["text"] == "ada@example.com did viewed pricing on https://example.com/pricing")
        #expect(json["action"]?["name"] == "Pricing json")
        #expect(json["event"]?["event"] == "viewed pricing")
        #expect(json["event"]?["distinct_id"] == "user-7")
        #expect(json["event"]?["properties"]?["plan"] == "pro")
        let stored = try await HTTP.waitForEvents(port: server.port, query: "event=viewed%20pricing", count: 2)
        #expect(stored.contains { $0["id"] == json["event"]?["uuid"] })
        // The output metrics count what was delivered (the answer may land just after the receiver saw it).
        try await eventually("four deliveries counted") {
            let metrics = (try? await HTTP.request(.get, port: server.port, "/metrics").text) ?? ""
            return metrics.contains(#"quill_integration_events_total{lib="unknown",source="webhook"} 4"#)
        }
        await server.stop()
    }

    @Test func aRestHookGetsItsEventsAndTheMatchesOfItsActionUntilItIsGone() async throws {
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        let server = try Self.server()
        try await server.start()
        let api = Management(port: server.port)
        let rule = try Self.created(
            try await api.send(
                .post, "/api/projects/@current/action_webhooks/",
                json: ["name": "Big orders", "enabled": false, "url": "https://hooks.slack.com/services/T/B/X",
                       "property_filters": [["key": "total", "value": "^[0-9]{4,}$", "operator": "regex"]]]))
        let byName = try Self.created(
            try await api.send(.post, "/api/projects/@current/hooks/", json: ["target": .string(destination.url), "event": "signed up"]))
        let byAction = try Self.created(
            try await api.send(
                .post, "/api/projects/1/hooks/",
                json: ["target": .string(destination.url), "event": "action_performed", "resource_id": JSONValue(rule)]))
        let listed = try await api.get("/api/projects/@current/hooks/")
        #expect(listed.json?["results"]?.arrayValue?.compactMap { $0["id"]?.doubleValue }.map(Int.init) == [byName, byAction])

        try await Self.capture(port: server.port, "ordered", properties: ["total": "99"])
        try await Self.capture(port: server.port, "ordered", properties: ["total": "12000"])
        try await Self.capture(port: server.port, "signed up", properties: ["plan": "pro"])
        try await eventually("two deliveries") { destination.bodies.count >= 2 }
        let signedUp = try #require(destination.bodies.first { $0["data"]?["event"] == "signed up" })
        #expect(signedUp["hook"] == ["id": JSONValue(byName), "event": "signed up", "target": .string(destination.url)])
        #expect(signedUp["data"]?["distinct_id"] == "user-7")
        #expect(signedUp["data"]?["properties"]?["plan"] == "pro")
        #expect(signedUp["data"]?["timestamp"]?.stringValue != nil)
        #expect(signedUp["data"]?["uuid"]?.stringValue != nil)
        let ordered = try #require(destination.bodies.first { $0["data"]?["event"] == "ordered" })
        #expect(ordered["hook"]?["event"] == "action_performed")
        #expect(ordered["data"]?["properties"]?["total"] == "12000")

        // Zapier unsubscribes by answering 410 Gone.
        destination.setStatus(410)
        try await Self.capture(port: server.port, "signed up", properties: [:])
        try await eventually("the hook unsubscribed") {
            try await api.get("/api/projects/@current/hooks/\(byName)/").status == 404
        }
        #expect(try await api.delete("/api/projects/@current/hooks/\(byAction)/").status == 204)
        #expect(try await api.get("/api/projects/@current/hooks/").json?["results"]?.arrayValue?.isEmpty == true)
        await server.stop()
    }

    @Test func webhooksAndHooksAndTheirUndeliveredWorkOutliveARestart() async throws {
        let destination = FakeDestination()
        try await destination.start()
        defer { destination.stop() }
        destination.setStatus(500)
        let server = try Self.server()
        try await server.start()
        var api = Management(port: server.port)
        let webhook = try Self.created(
            try await api.send(
                .post, "/api/projects/@current/action_webhooks/",
                json: ["name": "Anything", "event": "restarted", "url": .string(destination.url), "service": "discord"]))
        let hook = try Self.created(
            try await api.send(.post, "/api/projects/@current/hooks/", json: ["target": .string(destination.url), "event": "restarted"]))
        try await Self.capture(port: server.port, "restarted", properties: [:])
        try await eventually("both tried once") { destination.requests >= 2 }
        // A message is made when it is sent: the retry uses the template as it is then.
        let changed = try await api.send(.patch, "/api/projects/@current/action_webhooks/\(webhook)/", json: ["message_format": "[event.name]!"])
        #expect(changed.status == 200, "\(changed.text)")
        #expect(changed.json?["service"] == "discord")
        await server.stop()

        destination.setStatus(200)
        try await server.start()
        api = Management(port: server.port)
        #expect(try await api.get("/api/projects/@current/action_webhooks/\(webhook)/").json?["message_format"] == "[event.name]!")
        #expect(try await api.get("/api/projects/@current/hooks/\(hook)/").json?["event"] == "restarted")
        // The retries, due 5 s after the first attempts, go out from the restarted server.
        try await eventually("the retries delivered") { destination.accepted.count >= 2 }
        #expect(destination.accepted.count == 2)
        #expect(destination.accepted.contains(["content": "restarted!"]))
        #expect(destination.accepted.contains { $0["hook"]?["id"] == JSONValue(hook) })
        await server.stop()
    }

    @Test func badInputIsRefusedWithAMessage() async throws {
        let server = try Self.server()
        try await server.start()
        let api = Management(port: server.port)
        let webhooks = "/api/projects/@current/action_webhooks/"
        let cases: [(JSONValue, String)] = [
            (["url": "https://example.com/hook"], "name"),
            (["name": "x"], "url"),
            (["name": "x", "url": "ftp://example.com/hook"], "url"),
            (["name": "x", "url": "https://example.com/hook", "service": "pager"], "service"),
            (["name": "x", "url": "https://example.com/hook", "event": 3], "event"),
            (["name": "x", "url": "https://example.com/hook", "property_filters": [["key": "a", "operator": "between"]]], "property_filters"),
            (["name": "x", "url": "https://example.com/hook", "property_filters": [["key": "a", "value": "(", "operator": "regex"]]], "property_filters"),
            (["name": "x", "url": "https://example.com/hook", "property_filters": [["key": "a", "operator": "exact"]]], "property_filters"),
            (["name": "x", "url": "https://example.com/hook", "colour": "red"], "colour"),
        ]
        for (body, field) in cases {
            let result = try await api.send(.post, webhooks, json: body)
            #expect(result.status == 400, "\(body.serializedString): \(result.text)")
            #expect(result.json?["attr"]?.stringValue == field, "\(body.serializedString): \(result.text)")
            #expect(result.json?["detail"]?.stringValue?.isEmpty == false)
        }
        let webhook = try Self.created(try await api.send(.post, webhooks, json: ["name": "ok", "url": "https://hooks.slack.com/services/a"]))
        let created = try await api.get("\(webhooks)\(webhook)/")
        #expect(created.json?["service"] == "slack", "the service follows from the URL")
        #expect(created.json?["enabled"] == true)
        #expect(try await api.send(.patch, "\(webhooks)\(webhook)/", json: ["enabled": "yes"]).status == 400)
        #expect(try await api.send(.patch, "\(webhooks)999/", json: ["enabled": false]).status == 404)

        let hooks = "/api/projects/@current/hooks/"
        let hookCases: [(JSONValue, String)] = [
            (["event": "x"], "target"),
            (["target": "not a url", "event": "x"], "target"),
            (["target": "https://example.com/z"], "event"),
            (["target": "https://example.com/z", "event": "action_performed"], "resource_id"),
            (["target": "https://example.com/z", "event": "action_performed", "resource_id": 999], "resource_id"),
            (["target": "https://example.com/z", "event": "x", "resource_id": JSONValue(webhook)], "resource_id"),
        ]
        for (body, field) in hookCases {
            let result = try await api.send(.post, hooks, json: body)
            #expect(result.status == 400, "\(body.serializedString): \(result.text)")
            #expect(result.json?["attr"]?.stringValue == field, "\(body.serializedString): \(result.text)")
        }
        #expect(try await api.delete("\(hooks)12345/").status == 404)
        // Removing the action removes the REST hooks on it.
        _ = try Self.created(
            try await api.send(
                .post, hooks, json: ["target": "https://example.com/z", "event": "action_performed", "resource_id": JSONValue(webhook)]))
        #expect(try await api.delete("\(webhooks)\(webhook)/").status == 204)
        #expect(try await api.get(hooks).json?["count"] == 0)
        await server.stop()
    }
}
