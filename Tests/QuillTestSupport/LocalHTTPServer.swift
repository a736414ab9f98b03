public import Hummingbird

/// An HTTP server on 127.0.0.1 for tests (a destination, a fake package host): a Hummingbird app
/// on a free port.
public struct LocalHTTPServer: Sendable {
    public let port: Int
    private let task: Task<Void, any Error>

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts serving `router` and returns once it listens.
    public static func start(_ router: Router<BasicRequestContext>) async throws -> LocalHTTPServer {
        let started = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in started.continuation.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await application.run() }
        for await port in started.stream {
            return LocalHTTPServer(port: port, task: task)
        }
        task.cancel()
        throw LocalHTTPServerError()
    }

    public func stop() {
        task.cancel()
    }
}

struct LocalHTTPServerError: Error, CustomStringConvertible {
    var description: String { "the local test server did not start" }
}
