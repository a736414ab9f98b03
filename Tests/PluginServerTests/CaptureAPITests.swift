import Compression
import Foundation
import HTTPTypes
import OrderedJSON
import Testing

/// One `quill serve` (no plugins) shared by the capture tests; each test uses its own event names.
enum CaptureServer {
    static let shared: Task<ServerProcess, any Error> = Task {
        let server = try ServerProcess(environment: ["QUILL_MAX_BODY_SIZE": "1000000"])
        try await server.start()
        return server
    }

    static var port: Int {
        get async throws { try await shared.value.port }
    }
}

private let token = ServerProcess.projectToken

/// An event named `name`, as JSON text.
private func event(_ name: String, distinctID: String = "user-1", extra: String = "") -> String {
    #"{"event":"\#(name)","distinct_id":"\#(distinctID)","properties":{"source":"test"}\#(extra)}"#
}

private func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

private func formEncoded(_ fields: [(String, String)]) -> [UInt8] {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return Array(
        fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
}

@Suite struct CaptureAPITests {
    @Test(arguments: ["/e", "/e/", "/capture", "/capture/", "/track", "/track/", "/i/v0/e", "/i/v0/e/"])
    func everyEventPathAcceptsAnEvent(path: String) async throws {
        let port = try await CaptureServer.port
        let name = "path \(path)"
        let result = try await HTTP.post(port: port, path, json: event(name, extra: #","api_key":"\#(token)""#))
        #expect(result.status == 200, "\(result.text)")
        #expect(result.json == ["status": 1])
        #expect(try await HTTP.waitForEvents(port: port, query: "event=\(name.urlQueryEncoded)", count: 1).count == 1)
    }

    @Test(arguments: ["/batch", "/batch/"])
    func batchPathTakesABatch(path: String) async throws {
        let port = try await CaptureServer.port
        let name = "batch \(path)"
        let body = #"{"api_key":"\#(token)","batch":[\#(event(name)),\#(event(name, distinctID: "user-2"))]}"#
        let result = try await HTTP.post(port: port, path, json: body)
        #expect(result.status == 200, "\(result.text)")
        #expect(try await HTTP.waitForEvents(port: port, query: "event=\(name.urlQueryEncoded)", count: 2).count == 2)
    }

    @Test func engageEventsAreIdentify() async throws {
        let port = try await CaptureServer.port
        let result = try await HTTP.post(
            port: port, "/engage/", json: event("whatever", distinctID: "engaged-user", extra: #","token":"\#(token)""#))
        #expect(result.status == 200)
        let events = try await HTTP.waitForEvents(port: port, query: "distinct_id=engaged-user", count: 1)
        #expect(events.first?["event"] == "$identify")
    }

    /// Each body encoding of reference §4: (name, method, path, headers, body).
    static let encodings: [(String, String, String, [String: String], [UInt8])] = {
        let json = { (name: String) in event("encoding \(name)", extra: #","api_key":"\#(token)""#) }
        return [
            ("json body", "POST", "/e/", ["Content-Type": "application/json"], Array(json("json body").utf8)),
            ("text body", "POST", "/e/", ["Content-Type": "text/plain"], Array(json("text body").utf8)),
            ("no content type", "POST", "/e/", [:], Array(json("no content type").utf8)),
            ("form data", "POST", "/e/", ["Content-Type": "application/x-www-form-urlencoded"],
             formEncoded([("data", json("form data"))])),
            ("form base64", "POST", "/e/", ["Content-Type": "application/x-www-form-urlencoded"],
             formEncoded([("data", base64(json("form base64")))])),
            ("base64 body", "POST", "/e/", ["Content-Type": "text/plain"], Array(base64(json("base64 body")).utf8)),
            ("gzip header", "POST", "/batch/", ["Content-Type": "application/json", "Content-Encoding": "gzip"],
             Zlib.gzip(Array("[\(json("gzip header"))]".utf8))),
            ("gzip-js query", "POST", "/e/?compression=gzip-js", ["Content-Type": "text/plain"],
             Zlib.gzip(Array(json("gzip-js query").utf8))),
            ("gzip undeclared", "POST", "/e/", ["Content-Type": "text/plain"], Zlib.gzip(Array(json("gzip undeclared").utf8))),
            ("lz64 form", "POST", "/e/", ["Content-Type": "application/x-www-form-urlencoded"],
             formEncoded([("data", LZString.compressToBase64(json("lz64 form"))), ("compression", "lz64")])),
            ("lz64 query", "POST", "/e/?compression=lz64", ["Content-Type": "text/plain"],
             Array(LZString.compressToBase64(json("lz64 query")).utf8)),
            ("get base64", "GET", "/e/?data=\(base64(json("get base64")).urlQueryEncoded)", [:], []),
            ("get json", "GET", "/e/?data=\(json("get json").urlQueryEncoded)", [:], []),
            ("python NaN", "POST", "/e/", ["Content-Type": "application/json"],
             Array(event("encoding python NaN", extra: #","api_key":"\#(token)","offset":NaN"#).utf8)),
        ]
    }()

    @Test(arguments: encodings.map(\.0))
    func everyBodyEncodingIsAccepted(name: String) async throws {
        let port = try await CaptureServer.port
        let (_, method, path, headers, body) = Self.encodings.first { $0.0 == name }!
        let result = try await HTTP.request(method == "GET" ? .get : .post, port: port, path, headers: headers,
            body: body.isEmpty ? nil : body)
        #expect(result.status == 200, "\(result.text)")
        let events = try await HTTP.waitForEvents(port: port, query: "event=\("encoding \(name)".urlQueryEncoded)", count: 1)
        #expect(events.count == 1)
        #expect(events.first?["properties"]?["source"] == "test")
    }

    /// Each place a token may be (reference §4): (name, path, content type, body).
    static let tokenPlacements: [(String, String, String, String)] = {
        let plain = { (name: String) in event("token \(name)") }
        let with = { (name: String, field: String) in event("token \(name)", extra: #","\#(field)":"\#(token)""#) }
        return [
            ("query token", "/e/?token=\(token)", "application/json", plain("query token")),
            ("query api_key", "/e/?api_key=\(token)", "application/json", plain("query api_key")),
            ("form api_key", "/e/", "application/x-www-form-urlencoded",
             String(decoding: formEncoded([("data", plain("form api_key")), ("api_key", token)]), as: UTF8.self)),
            ("form token", "/e/", "application/x-www-form-urlencoded",
             String(decoding: formEncoded([("data", plain("form token")), ("token", token)]), as: UTF8.self)),
            ("$token", "/e/", "application/json", with("$token", "$token")),
            ("token", "/e/", "application/json", with("token", "token")),
            ("api_key", "/e/", "application/json", with("api_key", "api_key")),
            ("properties.token", "/e/", "application/json",
             #"{"event":"token properties.token","distinct_id":"u","properties":{"token":"\#(token)"}}"#),
            ("array first element", "/batch/", "application/json",
             "[\(with("array first element", "api_key")),\(plain("array first element"))]"),
        ]
    }()

    @Test(arguments: tokenPlacements.map(\.0))
    func tokenIsFoundInEveryPlace(name: String) async throws {
        let port = try await CaptureServer.port
        let (_, path, contentType, body) = Self.tokenPlacements.first { $0.0 == name }!
        let result = try await HTTP.post(port: port, path, json: body, headers: ["Content-Type": contentType])
        #expect(result.status == 200, "\(result.text)")
        #expect(try await HTTP.waitForEvents(port: port, query: "event=\("token \(name)".urlQueryEncoded)", count: 1).count >= 1)
    }

    @Test func personalAPIKeyWithProjectIDStandsInForTheToken() async throws {
        let port = try await CaptureServer.port
        let body = event("personal key capture", extra: #","api_key":"\#(ServerProcess.personalAPIKey)","project_id":1"#)
        let result = try await HTTP.post(port: port, "/e/", json: body)
        #expect(result.status == 200, "\(result.text)")
        let wrongProject = event("personal key elsewhere", extra: #","api_key":"\#(ServerProcess.personalAPIKey)","project_id":2"#)
        #expect(try await HTTP.post(port: port, "/e/", json: wrongProject).status == 401)
    }

    /// Malformed requests: (name, path, headers, body, status, code, words in the message).
    static let malformed: [(String, String, [String: String], [UInt8], Int, String, String)] = {
        let json = ["Content-Type": "application/json"]
        let valid = { (name: String) in event("malformed \(name)", extra: #","api_key":"\#(token)""#) }
        return [
            ("empty body", "/e/", json, [], 400, "invalid_payload", "No data found"),
            ("not JSON", "/e/", json, Array("{\"event\": \"malformed not JSON\", ".utf8), 400, "invalid_payload", "Malformed request data"),
            ("broken gzip", "/e/?compression=gzip", json, Array("not gzip at all".utf8), 400, "invalid_payload", "Failed to decompress"),
            ("broken lz64", "/e/?compression=lz64", json, Array("!!!!".utf8), 400, "invalid_payload", "Failed to decompress"),
            ("unknown compression", "/e/?compression=brotli", json, Array(valid("unknown compression").utf8), 400,
             "invalid_payload", "Unknown compression 'brotli'"),
            ("missing token", "/e/", json, Array(event("malformed missing token").utf8), 401, "missing_api_key", "API key not provided"),
            ("unknown token", "/e/?token=phc_nope", json, Array(event("malformed unknown token").utf8), 401, "invalid_api_key",
             "Project API key invalid"),
            ("a number", "/e/?token=\(token)", json, Array("42".utf8), 400, "invalid_payload", "must be an event object"),
            ("batch not array", "/batch/", json, Array(#"{"api_key":"\#(token)","batch":{"event":"malformed batch"}}"#.utf8),
             400, "invalid_payload", "'batch' must be an array"),
            ("no distinct id", "/e/?token=\(token)", json,
             Array(#"{"event":"malformed no distinct id","properties":{}}"#.utf8), 400, "invalid_payload", "no distinct_id"),
            ("no event name", "/e/?token=\(token)", json, Array(#"{"distinct_id":"x"}"#.utf8), 400, "invalid_payload",
             "no 'event' name"),
            ("bad uuid", "/e/?token=\(token)", json,
             Array(event("malformed bad uuid", extra: #","uuid":"not-a-uuid""#).utf8), 400, "invalid_payload", "not a valid UUID"),
            ("properties not object", "/e/?token=\(token)", json,
             Array(#"{"event":"malformed properties","distinct_id":"x","properties":[1]}"#.utf8), 400, "invalid_payload",
             "'properties' must be an object"),
            ("empty batch", "/batch/", json, Array(#"{"api_key":"\#(token)","batch":[]}"#.utf8), 400, "invalid_payload",
             "no events"),
            ("too large", "/batch/?token=\(token)", json,
             Array(("[" + Array(repeating: event("malformed too large"), count: 20_000).joined(separator: ",") + "]").utf8), 413,
             "payload_too_large", "larger than 1000000 bytes"),
            ("gzip bomb", "/e/?compression=gzip&token=\(token)", json,
             Zlib.gzip([UInt8](repeating: 0x20, count: 5_000_000) + Array(valid("gzip bomb").utf8)), 413, "payload_too_large",
             "larger than 1000000 bytes (after decompression)"),
        ]
    }()

    @Test(arguments: malformed.map(\.0))
    func malformedRequestIsRefusedWithAClearMessage(name: String) async throws {
        let port = try await CaptureServer.port
        let (_, path, headers, body, status, code, words) = Self.malformed.first { $0.0 == name }!
        let result = try await HTTP.request(.post, port: port, path, headers: headers, body: body)
        #expect(result.status == status, "\(result.text)")
        #expect(result.json?["code"]?.stringValue == code)
        #expect(result.json?["detail"]?.stringValue?.contains(words) == true, "\(result.text)")
    }

    @Test func malformedRequestsStoreNothing() async throws {
        let port = try await CaptureServer.port
        for (_, path, headers, body, _, _, _) in Self.malformed {
            _ = try await HTTP.request(.post, port: port, path, headers: headers, body: body)
        }
        // A good event sent after them is stored; by then any of theirs would be too.
        _ = try await HTTP.post(port: port, "/e/", json: event("malformed sentinel", extra: #","api_key":"\#(token)""#))
        _ = try await HTTP.waitForEvents(port: port, query: "event=malformed%20sentinel", count: 1)
        let stored = try await HTTP.events(port: port).compactMap { $0["event"]?.stringValue }
        #expect(stored.filter { $0.hasPrefix("malformed") } == ["malformed sentinel"])
    }

    @Test func badItemsInABatchAreSkippedAndCounted() async throws {
        let port = try await CaptureServer.port
        let body = #"{"api_key":"\#(token)","batch":[\#(event("mixed good")),{"event":"mixed bad"},"nonsense",\#(event("mixed good", distinctID: "u9"))]}"#
        let result = try await HTTP.post(port: port, "/batch/", json: body)
        #expect(result.status == 200)
        #expect(result.json?["invalid_events"]?.arrayValue?.compactMap { $0["index"]?.doubleValue } == [1, 2])
        #expect(try await HTTP.waitForEvents(port: port, query: "event=mixed%20good", count: 2).count == 2)
        #expect(try await HTTP.events(port: port, query: "event=mixed%20bad").isEmpty)
    }

    @Test func eventJSONIsStoredAsSent() async throws {
        let port = try await CaptureServer.port
        let properties = #"{"zeta":1,"alpha":1.0,"big":12345678901234567890,"text":"ünïcødé ✓ 😀","nested":{"b":[1,{"c":null}],"a":true}}"#
        let body = #"{"api_key":"\#(token)","event":"fidelity","distinct_id":"f","properties":\#(properties)}"#
        #expect(try await HTTP.post(port: port, "/e/", json: body).status == 200)
        let stored = try #require(try await HTTP.waitForEvents(port: port, query: "event=fidelity", count: 1).first)
        var expected = try #require(try JSONValue.parse(properties).objectValue)
        expected["$ip"] = "127.0.0.1"
        #expect(stored["properties"] == .object(expected))
        #expect(stored["properties"]?.serializedString.hasPrefix(#"{"zeta":1,"alpha":1.0,"big":12345678901234567890"#) == true)
    }

    @Test func uuidIsKeptOrAssigned() async throws {
        let port = try await CaptureServer.port
        let given = "0190d0a0-1111-7000-8000-00000000abcd"
        _ = try await HTTP.post(port: port, "/e/", json: event("uuid kept", extra: #","api_key":"\#(token)","uuid":"\#(given)""#))
        _ = try await HTTP.post(port: port, "/e/", json: event("uuid assigned", extra: #","api_key":"\#(token)""#))
        let kept = try await HTTP.waitForEvents(port: port, query: "event=uuid%20kept", count: 1)
        let assigned = try await HTTP.waitForEvents(port: port, query: "event=uuid%20assigned", count: 1)
        #expect(kept.first?["id"]?.stringValue == given)
        let assignedID = try #require(assigned.first?["id"]?.stringValue)
        #expect(UUID(uuidString: assignedID) != nil)
        #expect(Array(assignedID)[14] == "7", "a UUIDv7")
    }

    @Test func sameUUIDTwiceIsStoredOnce() async throws {
        let port = try await CaptureServer.port
        let body = event("duplicate uuid", extra: #","api_key":"\#(token)","uuid":"0190d0a0-2222-7000-8000-00000000abcd""#)
        for _ in 0..<3 { #expect(try await HTTP.post(port: port, "/e/", json: body).status == 200) }
        _ = try await HTTP.post(port: port, "/e/", json: event("duplicate sentinel", extra: #","api_key":"\#(token)""#))
        _ = try await HTTP.waitForEvents(port: port, query: "event=duplicate%20sentinel", count: 1)
        #expect(try await HTTP.events(port: port, query: "event=duplicate%20uuid").count == 1)
    }

    @Test func clientClockSkewIsCorrected() async throws {
        let port = try await CaptureServer.port
        let now = Date()
        func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
        // The client's clock runs 26 hours ahead; the event happened 10 minutes before it was sent.
        let skewed = event(
            "skew corrected",
            extra: #","api_key":"\#(token)","timestamp":"\#(iso(now + 26 * 3600))","sent_at":"\#(iso(now + 26 * 3600 + 600))""#)
        let offset = event("skew offset", extra: #","api_key":"\#(token)","offset":150000"#)
        let given = event("skew as given", extra: #","api_key":"\#(token)","timestamp":"2021-05-01T12:00:00.250+04:00""#)
        for body in [skewed, offset, given] { #expect(try await HTTP.post(port: port, "/e/", json: body).status == 200) }

        func storedTime(_ name: String) async throws -> Date {
            let event = try await HTTP.waitForEvents(port: port, query: "event=\(name.urlQueryEncoded)", count: 1).first
            let text = try #require(event?["timestamp"]?.stringValue)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return try #require(formatter.date(from: text))
        }
        let corrected = try await storedTime("skew corrected").timeIntervalSince(now)
        #expect(corrected > -660 && corrected < -540, "about 10 minutes before now, got \(corrected) s")
        let fromOffset = try await storedTime("skew offset").timeIntervalSince(now)
        #expect(fromOffset > -210 && fromOffset < -90, "about 150 s before now, got \(fromOffset) s")
        #expect(try await HTTP.waitForEvents(port: port, query: "event=skew%20as%20given", count: 1).first?["timestamp"]
            == "2021-05-01T08:00:00.250Z")
    }

    @Test func eventsAPINeedsAPersonalKeyAndFilters() async throws {
        let port = try await CaptureServer.port
        #expect(try await HTTP.request(.get, port: port, "/api/projects/@current/events/").status == 401)
        #expect(try await HTTP.request(.get, port: port, "/api/projects/@current/events/",
            headers: ["Authorization": "Bearer phx_wrong"]).status == 401)
        #expect(try await HTTP.request(.get, port: port, "/api/projects/99/events/",
            headers: ["Authorization": "Bearer \(ServerProcess.personalAPIKey)"]).status == 404)
        #expect(try await HTTP.request(.get, port: port, "/api/projects/1/events/?after=yesterday",
            headers: ["Authorization": "Bearer \(ServerProcess.personalAPIKey)"]).status == 400)

        let body = "[" + (0..<5).map { event("paged", distinctID: "pager-\($0)") }.joined(separator: ",") + "]"
        #expect(try await HTTP.post(port: port, "/batch/?token=\(token)", json: body).status == 200)
        _ = try await HTTP.waitForEvents(port: port, query: "event=paged", count: 5)
        let firstPage = try await HTTP.request(.get, port: port, "/api/projects/1/events/?event=paged&limit=2",
            headers: ["Authorization": "Bearer \(ServerProcess.personalAPIKey)"])
        #expect(firstPage.json?["results"]?.arrayValue?.count == 2)
        #expect(firstPage.json?["next"]?.stringValue?.contains("cursor=") == true)
        let everyPage = try await HTTP.events(port: port, query: "event=paged&limit=2")
        #expect(Set(everyPage.compactMap { $0["distinct_id"]?.stringValue }) == Set((0..<5).map { "pager-\($0)" }))
        #expect(try await HTTP.events(port: port, query: "event=paged&distinct_id=pager-3").count == 1)
        #expect(try await HTTP.events(port: port, query: "event=paged&before=2000-01-01T00:00:00Z").isEmpty)
    }
}

extension String {
    var urlQueryEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
