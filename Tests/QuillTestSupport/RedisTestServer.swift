import ChildProcesses
import Foundation

/// A throw-away `redis-server` on 127.0.0.1 (Debian's, installed by `make test`), nothing saved to disk.
public final class RedisTestServer: Sendable {
    private let server: LoopbackServerProcess
    public var port: Int { server.port }
    private var process: SpawnedProcess { server.process }

    public var url: String { "redis://127.0.0.1:\(port)" }

    private init(_ server: LoopbackServerProcess) {
        self.server = server
    }

    /// Starts a server on `port` (default: a free one) and returns once it takes connections.
    public static func start(port wanted: Int? = nil) async throws -> RedisTestServer {
        let folder = try TemporaryFolder()
        guard
            let server = try await LoopbackServerProcess.start(
                "redis", executable: URL(filePath: "/usr/bin/redis-server"),
                arguments: { port in
                    [
                        "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--dir", folder.path, "--daemonize", "no",
                    ]
                }, port: wanted, logFolder: folder, within: .seconds(30), poll: .milliseconds(10))
        else {
            throw RedisTestServerError(description: "redis-server did not start; is Debian's redis-server installed (make test)?")
        }
        return RedisTestServer(server)
    }

    /// Stops the server as a crash would, to see what happens when Redis goes away.
    public func kill() async {
        process.send(SIGKILL)
        _ = await process.exitStatus()
    }
}

public struct RedisTestServerError: Error, CustomStringConvertible {
    public var description: String
}
