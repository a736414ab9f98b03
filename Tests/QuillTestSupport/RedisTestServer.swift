import ChildProcesses
import Foundation

/// A throw-away `redis-server` on 127.0.0.1 (Debian's, installed by `make test`), nothing saved to disk.
public final class RedisTestServer: Sendable {
    public let port: Int
    private let process: SpawnedProcess
    private let folder: TemporaryFolder

    public var url: String { "redis://127.0.0.1:\(port)" }

    private init(port: Int, process: SpawnedProcess, folder: TemporaryFolder) {
        self.port = port
        self.process = process
        self.folder = folder
    }

    deinit {
        process.send(SIGKILL)
    }

    /// Starts a server on `port` (default: a free one) and returns once it takes connections.
    public static func start(port wanted: Int? = nil) async throws -> RedisTestServer {
        let folder = try TemporaryFolder()
        for _ in 0..<(wanted == nil ? 5 : 1) {
            // Free when asked for (the socket closes at once), so redis-server can take it.
            let port = try wanted ?? LoopbackPort().port
            let logPath = folder.url.appending(path: "redis-\(port).log").path
            guard FileManager.default.createFile(atPath: logPath, contents: nil),
                let log = FileHandle(forWritingAtPath: logPath), let nullDevice = FileHandle(forReadingAtPath: "/dev/null")
            else { throw RedisTestServerError(description: "could not open \(logPath) or /dev/null") }
            defer {
                try? log.close()
                try? nullDevice.close()
            }
            let process = try SpawnedProcess(
                URL(filePath: "/usr/bin/redis-server"),
                arguments: [
                    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", folder.path, "--daemonize", "no",
                ],
                standardInput: nullDevice, standardOutput: log, standardError: log)
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < deadline {
                if LoopbackPort.accepts(port: port) { return RedisTestServer(port: port, process: process, folder: folder) }
                try await Task.sleep(for: .milliseconds(10))
            }
            process.send(SIGKILL)
            // Most likely another process took the port first: try another.
        }
        throw RedisTestServerError(description: "redis-server did not start; is Debian's redis-server installed (make test)?")
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
