import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrderedJSON

/// A response from the server under test.
struct HTTPResult: Sendable {
    var status: Int
    var body: [UInt8]
    var headers: HTTPFields = [:]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
}

/// Plain HTTP/1.1 requests to a server on 127.0.0.1.
enum HTTP {
    static func request(
        _ method: HTTPRequest.Method, port: Int, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil
    ) async throws -> HTTPResult {
        let fields = HTTPFields(headers.map { HTTPField(name: HTTPField.Name($0.key)!, value: $0.value) })
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(
                TestClient.Request(path, method: method, authority: "127.0.0.1:\(port)", headers: fields,
                    body: body.map { ByteBuffer(bytes: $0) }))
        }
        return HTTPResult(
            status: Int(response.status.code), body: response.body.map { Array(buffer: $0) } ?? [], headers: response.headers)
    }

    static func post(port: Int, _ path: String, json: String, headers: [String: String] = ["Content-Type": "application/json"])
        async throws -> HTTPResult
    {
        try await request(.post, port: port, path, headers: headers, body: Array(json.utf8))
    }

    /// Every event of the project matching `query` (e.g. `event=x`), following `next` pages.
    static func events(port: Int, query: String = "") async throws -> [JSONValue] {
        var path: String? = "/api/projects/@current/events/?limit=1000" + (query.isEmpty ? "" : "&" + query)
        var events: [JSONValue] = []
        while let current = path {
            let result = try await request(
                .get, port: port, current, headers: ["Authorization": "Bearer \(ServerProcess.personalAPIKey)"])
            guard result.status == 200, let json = result.json else {
                throw ServerProcessError(description: "events API answered \(result.status): \(result.text)")
            }
            events.append(contentsOf: json["results"]?.arrayValue ?? [])
            path = json["next"]?.stringValue.flatMap { URL(string: $0) }.map { url in
                url.path + "/" + (url.query.map { "?" + $0 } ?? "")
            }
        }
        return events
    }

    /// Polls the events API until `count` events match `query`; fails after 30 s.
    static func waitForEvents(port: Int, query: String, count: Int) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let events = try await events(port: port, query: query)
            if events.count >= count || ContinuousClock.now > deadline { return events }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
