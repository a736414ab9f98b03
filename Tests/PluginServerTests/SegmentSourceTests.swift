import ChildProcesses
import Foundation
import OrderedJSON
import QuillTestSupport
import Testing

/// Segment's tracking API on `quill serve`: Segment's own Python library sends every call type, and the events
/// read back through the events API are what PostHog's Segment integration makes of them.
@Suite struct SegmentSourceTests {
    @Test func segmentsPythonLibrarySendsEveryCallTypeAndTheEventsAreMappedAsPostHogMapsThem() async throws {
        let server = try ServerProcess()
        try await server.start()
        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/segment_python_client.py")
        let python = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script.path, server.baseURL, ServerProcess.projectToken])
        try #require(python.status == 0, "segment client failed: \(python.errorText)")
        let sent = try JSONValue.parse(Array(python.standardOutput))
        let libraryVersion = try #require(sent["library_version"]?.stringValue)
        func id(_ call: String) throws -> String { try #require(sent["ids"]?[call]?.stringValue) }

        let events = try await HTTP.waitForEvents(port: server.port, query: "", count: 7)
        #expect(events.count == 7)
        var byID: [String: JSONValue] = [:]
        for event in events { byID[event["id"]?.stringValue ?? ""] = event }
        for call in ["track", "identify", "page", "screen", "group", "alias"] {
            let event = try #require(byID[try id(call)], "the \(call) call's messageId is its event's uuid")
            #expect(event["properties"]?["$lib"] == "analytics-python")
            #expect(event["properties"]?["$lib_version"] == .string(libraryVersion))
        }

        let track = try #require(byID[try id("track")])
        #expect(track["event"] == "Order Completed")
        #expect(track["distinct_id"] == "seg-user")
        #expect(track["properties"]?["revenue"]?.doubleValue == 42.5)
        #expect(track["properties"]?["currency"] == "EUR")
        #expect(track["properties"]?["$current_url"] == "https://shop.example.com/cart?step=2")
        #expect(track["properties"]?["$os"] == "Mac OS X")
        #expect(track["properties"]?["$os_version"] == "14.1")
        #expect(track["properties"]?["$browser"] == "Firefox")
        #expect(track["properties"]?["$ip"] == "203.0.113.9")
        #expect(track["properties"]?["$device_type"] == "desktop")
        #expect(track["properties"]?["$screen_width"] == 1920)
        #expect(track["properties"]?["$screen_height"] == 1080)
        #expect(track["properties"]?["$timezone"] == "Europe/Paris")
        #expect(track["properties"]?["$locale"] == "fr-FR")

        let identify = try #require(byID[try id("identify")])
        #expect(identify["event"] == "$identify")
        #expect(identify["distinct_id"] == "seg-user")
        #expect(identify["properties"]?["$set"] == ["email": "grace@example.com", "plan": "pro"])
        #expect(identify["properties"]?["$anon_distinct_id"] == "anon-7")

        let page = try #require(byID[try id("page")])
        #expect(page["event"] == "$pageview")
        #expect(page["properties"]?["$current_url"] == "https://shop.example.com/cart?step=2")
        #expect(page["properties"]?["$pathname"] == "/cart")
        #expect(page["properties"]?["$title"] == "Cart")
        #expect(page["properties"]?["$referrer"] == "https://example.org/")
        #expect(page["properties"]?["$host"] == "shop.example.com")

        let screen = try #require(byID[try id("screen")])
        #expect(screen["event"] == "$screen")
        #expect(screen["properties"]?["$screen_name"] == "Welcome")
        #expect(screen["properties"]?["$os"] == "iOS")
        #expect(screen["properties"]?["step"] == 1)

        let group = try #require(byID[try id("group")])
        #expect(group["event"] == "$groupidentify")
        #expect(group["properties"]?["$group_type"] == "segment_group")
        #expect(group["properties"]?["$group_key"] == "acme-inc")
        #expect(group["properties"]?["$group_set"] == ["name": "Acme", "employees": 50])

        let alias = try #require(byID[try id("alias")])
        #expect(alias["event"] == "$create_alias")
        #expect(alias["distinct_id"] == "anon-7")
        #expect(alias["properties"]?["alias"] == "seg-user")

        let anonymous = try #require(events.first { $0["event"] == "Anonymous Visit" })
        #expect(anonymous["distinct_id"] == "anon-8")
        #expect(anonymous["properties"]?["$segment_message_id"] == "not-a-uuid")
        await server.stop()
    }

    /// Each `/v1/<type>` endpoint takes its own message with the write key in Basic auth or in the body, and
    /// answers `{"success": true}`; hostile requests get capture's answers.
    @Test func eachEndpointTakesItsCallAndRefusesWhatCaptureRefuses() async throws {
        let server = try ServerProcess(environment: ["QUILL_MAX_BODY_SIZE": "20000"])
        try await server.start()
        let basic = "Basic " + Data("\(ServerProcess.projectToken):".utf8).base64EncodedString()
        let calls: [(path: String, body: String)] = [
            ("/v1/track", #"{"userId": "u1", "event": "Clicked", "properties": {"button": "buy"}, "timestamp": "2024-05-01T10:00:00.000Z"}"#),
            ("/v1/identify", #"{"userId": "u1", "traits": {"name": "Ada"}}"#),
            ("/v1/page", #"{"anonymousId": "a1", "name": "Home", "properties": {"url": "https://example.com/home"}}"#),
            ("/v1/screen", #"{"userId": "u1", "name": "Settings"}"#),
            ("/v1/group", #"{"userId": "u1", "groupId": "g1", "traits": {"group_type": "team", "size": 3}}"#),
            ("/v1/alias", #"{"previousId": "a1", "userId": "u1"}"#),
        ]
        for call in calls {
            let result = try await HTTP.post(
                port: server.port, call.path, json: call.body, headers: ["Content-Type": "application/json", "Authorization": basic])
            #expect(result.status == 200, "\(call.path): \(result.text)")
            #expect(result.json == ["success": true], "\(call.path): \(result.text)")
        }
        // Segment's browser library sends the key in the body, as text/plain.
        let inBody = try await HTTP.post(
            port: server.port, "/v1/batch",
            json: #"{"writeKey": "\#(ServerProcess.projectToken)", "batch": [{"type": "track", "userId": "u2", "event": "From Body"}]}"#,
            headers: ["Content-Type": "text/plain"])
        #expect(inBody.status == 200, "\(inBody.text)")

        let events = try await HTTP.waitForEvents(port: server.port, query: "", count: 7)
        let names = Set(events.compactMap { $0["event"]?.stringValue })
        #expect(names == ["Clicked", "$identify", "$pageview", "$screen", "$groupidentify", "$create_alias", "From Body"])
        let clicked = try #require(events.first { $0["event"] == "Clicked" })
        #expect(clicked["timestamp"]?.stringValue?.hasPrefix("2024-05-01T10:00:00") == true)
        #expect(events.first { $0["event"] == "$groupidentify" }?["properties"]?["$group_type"] == "team")
        #expect(events.first { $0["event"] == "$pageview" }?["properties"]?["$title"] == "Home")
        #expect(events.first { $0["event"] == "$pageview" }?["properties"]?["$lib"] == "segment")

        let json = ["Content-Type": "application/json", "Authorization": basic]
        let badJSON = try await HTTP.post(port: server.port, "/v1/track", json: #"{"userId": "#, headers: json)
        #expect(badJSON.status == 400)
        #expect(badJSON.json?["detail"]?.stringValue?.contains("invalid JSON") == true, "\(badJSON.text)")
        let notABatch = try await HTTP.post(port: server.port, "/v1/batch", json: #"{"batch": 3}"#, headers: json)
        #expect(notABatch.status == 400, "\(notABatch.text)")
        let noEvent = try await HTTP.post(port: server.port, "/v1/track", json: #"{"userId": "u1"}"#, headers: json)
        #expect(noEvent.status == 400)
        #expect(noEvent.json?["detail"]?.stringValue?.contains("'event'") == true, "\(noEvent.text)")
        let unknownType = try await HTTP.post(
            port: server.port, "/v1/batch", json: #"{"batch": [{"type": "launch", "userId": "u1"}]}"#, headers: json)
        #expect(unknownType.status == 400, "\(unknownType.text)")
        let unknownKey = try await HTTP.post(
            port: server.port, "/v1/track", json: #"{"userId": "u1", "event": "x"}"#,
            headers: ["Content-Type": "application/json", "Authorization": "Basic " + Data("phc_nobody:".utf8).base64EncodedString()])
        #expect(unknownKey.status == 401)
        #expect(unknownKey.json?["code"] == "invalid_api_key")
        let noKey = try await HTTP.post(port: server.port, "/v1/track", json: #"{"userId": "u1", "event": "x"}"#)
        #expect(noKey.status == 401)
        let oversized = try await HTTP.post(
            port: server.port, "/v1/track",
            json: #"{"userId": "u1", "event": "big", "properties": {"blob": ""# + String(repeating: "x", count: 30_000) + #""}}"#,
            headers: json)
        #expect(oversized.status == 413)
        await server.stop()
    }
}
