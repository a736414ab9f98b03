import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts `/batch` requests of events to `quill serve`, either as fast as `connections` clients can
/// (closed loop: each sends its next request when the last is answered) or at a fixed rate (open loop:
/// requests start on schedule whether or not earlier ones are answered, so a slow server can't slow the
/// clock and hide its latency). Prints a JSON line: events acknowledged per second, request latencies.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Send /batch requests to quill serve and print acknowledged events/s and latencies as a JSON line."
    )

    @Option(help: "The server, e.g. http://127.0.0.1:8000.")
    var url: String

    @Option(help: "The project API key.")
    var token: String

    @Option(help: "A file of events, one JSON object a line; used in turn, from the start again when exhausted.")
    var events: String

    @Option(help: "Requests to send.")
    var requests: Int

    @Option(help: "Events in a request.")
    var batchSize = 100

    @Option(help: "Clients sending at once (closed loop), or the most requests open at once (open loop).")
    var connections = 16

    @Option(help: "Events per second to send at (open loop); without it, as fast as the server answers.")
    var rate: Double?

    func run() async throws {
        let bodies = try makeBodies()
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let endpoint = url + "/batch/"
        let started = ContinuousClock.now
        let latencies: [Double]
        do {
            latencies =
                if let rate {
                    try await openLoop(client, endpoint, bodies, interval: .seconds(Double(batchSize) / rate), started: started)
                } else {
                    try await closedLoop(client, endpoint, bodies)
                }
        } catch {
            try await client.shutdown()
            throw error
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        try await client.shutdown()

        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        let report: [String: Double] = [
            "requests": Double(requests), "events": Double(requests * batchSize), "seconds": seconds,
            "acknowledged_events_per_second": Double(requests * batchSize) / seconds,
            "p50_ms": percentile(0.5), "p99_ms": percentile(0.99), "max_ms": sorted.last.map { $0 * 1000 } ?? 0,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: .sortedKeys), as: UTF8.self))
    }

    /// `{"api_key": …, "batch": [events]}` bodies, made before sending so the generator spends little time per request.
    private func makeBodies() throws -> [ByteBuffer] {
        let lines = try Data(contentsOf: URL(fileURLWithPath: events)).split(separator: UInt8(ascii: "\n"))
        guard !lines.isEmpty else { throw ValidationError("\(events) has no events") }
        let distinctBodies = min(requests, max(1, lines.count / batchSize))
        return (0..<distinctBodies).map { index in
            var body = ByteBuffer(string: #"{"api_key":"\#(token)","batch":["#)
            for offset in 0..<batchSize {
                if offset > 0 { body.writeString(",") }
                body.writeBytes(lines[lines.startIndex + (index * batchSize + offset) % lines.count])
            }
            body.writeString("]}")
            return body
        }
    }

    private func send(_ client: HTTPClient, _ endpoint: String, _ body: ByteBuffer) async throws {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw ValidationError("the server answered \(response.status)") }
    }

    /// `connections` clients, each sending its next request once the last is answered.
    private func closedLoop(_ client: HTTPClient, _ endpoint: String, _ bodies: [ByteBuffer]) async throws -> [Double] {
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for clientIndex in 0..<connections {
                group.addTask {
                    var latencies: [Double] = []
                    for index in stride(from: clientIndex, to: requests, by: connections) {
                        let sent = ContinuousClock.now
                        try await send(client, endpoint, bodies[index % bodies.count])
                        latencies.append((ContinuousClock.now - sent).inSeconds)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// A request every `interval`, each timed from when it was due.
    private func openLoop(
        _ client: HTTPClient, _ endpoint: String, _ bodies: [ByteBuffer], interval: Duration, started: ContinuousClock.Instant
    ) async throws -> [Double] {
        try await withThrowingTaskGroup(of: Double.self) { group in
            var latencies: [Double] = []
            var open = 0
            for index in 0..<requests {
                let due = started + interval * index
                try await Task.sleep(until: due, clock: .continuous)
                if open == connections {
                    // Collect an answered request, or wait for one: then the server is not keeping up with the rate.
                    if let latency = try await group.next() { latencies.append(latency) }
                    open -= 1
                }
                group.addTask {
                    try await send(client, endpoint, bodies[index % bodies.count])
                    return (ContinuousClock.now - due).inSeconds
                }
                open += 1
            }
            for try await latency in group { latencies.append(latency) }
            return latencies
        }
    }
}
