import ChildProcesses
import Foundation
import QuillTestSupport
import Synchronization
import Testing

/// `quill serve` running as its own process on 127.0.0.1, on a free port, with a temporary data folder.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process`, `port` and `environment` change only around start/stop, which the test calls in sequence.
    static let projectToken = "phc_test_project_token"
    static let personalAPIKey = "phx_test_personal_api_key"

    let dataDirectory: URL
    private(set) var port = 0
    private var process: SpawnedProcess?
    /// The pipe the running server prints into, held until it stops: a dropped handle closes its end and the
    /// rest of the output (a line logged just after "listening") would be lost.
    private var outputPipe: PrivatePipe?
    private let output = SharedText()
    /// Settings of the next start, beside the test's keys; a test may change them while the server is stopped.
    var environment: [String: String]

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The running server's process id.
    var processIdentifier: Int32? { process?.processIdentifier }

    /// The running server's peak resident memory so far (VmHWM), in bytes.
    var peakResidentMemory: Int? {
        guard let pid = process?.processIdentifier,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1_024
    }
    /// Everything the server printed so far.
    var printed: String { output.text }

    init(environment: [String: String] = [:]) throws {
        dataDirectory = FileManager.default.temporaryDirectory.appending(path: "quill-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        self.environment = environment
    }

    deinit {
        if let process { RunningServers.stop(process) }
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// Runs `quill` with the data folder (for `plugin install` and the like) and waits for it, killing it after
    /// `timeLimit`.
    func runQuill(_ arguments: [String], timeLimit: Duration = .seconds(120)) async throws -> (status: Int32, output: String) {
        let result = try await ChildProcess.run(
            QuillExecutable.url, arguments: arguments + ["--data-dir", dataDirectory.path], environment: quillEnvironment,
            mergingErrors: true, timeLimit: timeLimit)
        return (result.status, result.text)
    }

    /// Starts the server and returns once it listens, on `port` (default: a free one).
    func start(port wanted: Int = 0) async throws {
        let pipe = try PrivatePipe()
        let output = self.output
        pipe.reading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                output.append(String(decoding: data, as: UTF8.self))
            }
        }
        guard let nullDevice = FileHandle(forReadingAtPath: "/dev/null") else {
            throw ServerProcessError(description: "/dev/null could not be opened")
        }
        let process = try SpawnedProcess(
            QuillExecutable.url, arguments: ["serve", "--port", String(wanted), "--data-dir", dataDirectory.path],
            environment: quillEnvironment, standardInput: nullDevice, standardOutput: pipe.writing,
            standardError: pipe.writing)
        try pipe.writing.close()
        try nullDevice.close()
        RunningServers.add(process)
        self.process = process
        outputPipe = pipe
        // Seconds alone; a loaded machine running every suite at once has needed more than 30.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let port = Self.listeningPort(in: printed), printed.split(separator: "\n").count > 0 {
                let occurrences = printed.components(separatedBy: "Quill is listening on").count - 1
                if occurrences >= startCount + 1 {
                    startCount = occurrences
                    self.port = port
                    return
                }
            }
            guard process.isRunning else { throw ServerProcessError(description: "quill serve exited: \(printed)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerProcessError(description: "quill serve did not start: \(printed)")
    }

    private var startCount = 0

    /// The environment of every `quill` run: the test's keys for first start, quiet logs.
    private var quillEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["QUILL_PROJECT_API_KEY"] = Self.projectToken
        environment["QUILL_PERSONAL_API_KEY"] = Self.personalAPIKey
        environment["LOG_LEVEL"] = "warning"
        return environment.merging(self.environment) { $1 }
    }

    /// Stops the server with SIGTERM (graceful) and waits for it to exit. A server still running a minute later
    /// is an issue: it is made to print its threads (SIGABRT, Swift's backtracer), then killed.
    func stop() async {
        guard let process else { return }
        RunningServers.stop(process)
        if await !Self.exit(of: process, within: .seconds(60)) {
            process.send(SIGABRT)
            if await !Self.exit(of: process, within: .seconds(60)) { process.send(SIGKILL) }
            Issue.record("quill serve did not stop within a minute of SIGTERM; it printed:\n\(printed.suffix(30_000))")
        }
        self.process = nil
        outputPipe = nil
    }

    /// Kills the server with SIGKILL, as a crash would.
    func kill() async {
        guard let process else { return }
        process.send(SIGKILL)
        _ = await Self.exit(of: process, within: .seconds(60))
        RunningServers.remove(process)
        self.process = nil
        outputPipe = nil
    }

    /// Waits without blocking a thread: whether `process` exited within `limit`.
    private static func exit(of process: SpawnedProcess, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    private static func listeningPort(in text: String) -> Int? {
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("Quill is listening on ") }),
            let port = line.split(separator: ":").last
        else { return nil }
        return Int(port)
    }
}

/// Text appended from a pipe's handler thread and read by the test.
final class SharedText: Sendable {
    private let storage = Mutex("")
    var text: String { storage.withLock { $0 } }
    func append(_ more: String) { storage.withLock { $0 += more } }
}

struct ServerProcessError: Error, CustomStringConvertible {
    var description: String
}

/// The servers the tests started and haven't stopped: the test process kills them when it exits, so
/// none outlives it (a shared server, or one whose test ended without releasing it).
private enum RunningServers {
    private static let processes = Mutex<[Int32]>([])
    private static let killAtExit: Void = {
        atexit {
            for pid in RunningServers.processes.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
    }()

    static func add(_ process: SpawnedProcess) {
        _ = killAtExit
        processes.withLock { $0.append(process.processIdentifier) }
    }

    static func remove(_ process: SpawnedProcess) {
        processes.withLock { $0.removeAll { $0 == process.processIdentifier } }
    }

    /// Asks the server to stop gracefully (SIGTERM).
    static func stop(_ process: SpawnedProcess) {
        process.send(SIGTERM)
        remove(process)
    }
}
