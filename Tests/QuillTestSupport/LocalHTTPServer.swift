public import Hummingbird

/// An HTTP server on 127.0.0.1 for tests (a destination, a fake package host): a Hummingbird app
/// on a free port.
public struct LocalHTTPServer: Sendable {
    public let host: String
    public let port: Int
    private let task: Task<Void, any Error>

    public var baseURL: String { "http://\(host):\(port)" }

    /// Starts serving `router` and returns once it listens.
    /// - Parameter host: A loopback address (all of 127.0.0.0/8 reaches this machine).
    public static func start(_ router: Router<BasicRequestContext>, host: String = "127.0.0.1") async throws -> LocalHTTPServer {
        let started = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: 0)),
            onServerRunning: { channel in started.continuation.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await application.run() }
        for await port in started.stream {
            return LocalHTTPServer(host: host, port: port, task: task)
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
