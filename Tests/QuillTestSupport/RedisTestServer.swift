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
                if accepts(port: port) { return RedisTestServer(port: port, process: process, folder: folder) }
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

    private static func accepts(port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}

public struct RedisTestServerError: Error, CustomStringConvertible {
    public var description: String
}
