import ChildProcesses
import Foundation

/// A throw-away moto server (the `moto[server]` of scripts/requirements-test.txt) on 127.0.0.1: AWS's S3 and
/// Kinesis APIs, kept in memory, for the `aws-sdk` module's tests. Any credentials are accepted.
public final class MotoServer: Sendable {
    public let port: Int
    private let process: SpawnedProcess
    private let folder: TemporaryFolder

    public var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, process: SpawnedProcess, folder: TemporaryFolder) {
        self.port = port
        self.process = process
        self.folder = folder
    }

    deinit {
        process.send(SIGKILL)
    }

    /// Starts a server on a free port and returns once it takes connections.
    public static func start() async throws -> MotoServer {
        let folder = try TemporaryFolder()
        for _ in 0..<5 {
            // Free when asked for (the socket closes at once), so moto_server can take it.
            let port = try LoopbackPort().port
            let logPath = folder.url.appending(path: "moto-\(port).log").path
            guard FileManager.default.createFile(atPath: logPath, contents: nil),
                let log = FileHandle(forWritingAtPath: logPath), let nullDevice = FileHandle(forReadingAtPath: "/dev/null")
            else { throw MotoServerError(description: "could not open \(logPath) or /dev/null") }
            defer {
                try? log.close()
                try? nullDevice.close()
            }
            let process = try SpawnedProcess(
                URL(filePath: "/usr/bin/env"), arguments: ["moto_server", "-H", "127.0.0.1", "-p", String(port)],
                standardInput: nullDevice, standardOutput: log, standardError: log)
            // Python takes a while to import moto's services, more on a busy machine.
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning && ContinuousClock.now < deadline {
                if LoopbackPort.accepts(port: port) { return MotoServer(port: port, process: process, folder: folder) }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.send(SIGKILL)
            // Most likely another process took the port first: try another.
        }
        throw MotoServerError(description: "moto_server did not start; is moto[server] installed (make test)?")
    }
}

public struct MotoServerError: Error, CustomStringConvertible {
    public var description: String
}
