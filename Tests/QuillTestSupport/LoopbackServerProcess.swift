import ChildProcesses
import Foundation

/// A throw-away server program on a free 127.0.0.1 port, as the tests' Redis, moto, Cloud Storage emulator and
/// proxy run: killed when the last reference to it goes, its log folder kept until then.
final class LoopbackServerProcess: Sendable {
    let port: Int
    let process: SpawnedProcess
    private let logFolder: TemporaryFolder?

    private init(port: Int, process: SpawnedProcess, logFolder: TemporaryFolder?) {
        self.port = port
        self.process = process
        self.logFolder = logFolder
    }

    deinit {
        process.send(SIGKILL)
    }

    /// Starts `executable` with `arguments(port)` and returns once `isReady(port)` says it serves; tries another
    /// port when one was taken first (the free port is closed before the program binds it). Its output goes to
    /// `NAME-PORT.log` in `logFolder`, or nowhere. Returns nil when it never got ready.
    static func start(
        _ name: String, executable: URL, arguments: (Int) -> [String], port wanted: Int? = nil,
        logFolder: TemporaryFolder? = nil, within limit: Duration, poll interval: Duration = .milliseconds(50),
        isReady: (Int) async -> Bool = { LoopbackPort.accepts(port: $0) }
    ) async throws -> LoopbackServerProcess? {
        for _ in 0..<(wanted == nil ? 5 : 1) {
            let port = try wanted ?? LoopbackPort().port
            let logPath = logFolder.map { $0.url.appending(path: "\(name)-\(port).log").path } ?? "/dev/null"
            if logFolder != nil { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
            guard let log = FileHandle(forWritingAtPath: logPath), let nullDevice = FileHandle(forReadingAtPath: "/dev/null") else {
                throw LoopbackServerProcessError(description: "could not open \(logPath) or /dev/null")
            }
            defer {
                try? log.close()
                try? nullDevice.close()
            }
            let process = try SpawnedProcess(
                executable, arguments: arguments(port), standardInput: nullDevice, standardOutput: log, standardError: log)
            let deadline = ContinuousClock.now + limit
            while process.isRunning && ContinuousClock.now < deadline {
                if await isReady(port) { return LoopbackServerProcess(port: port, process: process, logFolder: logFolder) }
                try await Task.sleep(for: interval)
            }
            process.send(SIGKILL)
        }
        return nil
    }
}

struct LoopbackServerProcessError: Error, CustomStringConvertible {
    var description: String
}
