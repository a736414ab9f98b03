import ChildProcesses
import Foundation
import Synchronization

/// A throw-away PostgreSQL server on 127.0.0.1 (Debian's `postgresql`, installed by `make test`), one per test
/// process, started on first use; each test takes a fresh database of its own with `createDatabase()`.
///
/// PostgreSQL refuses to run as root, so when the tests run as root the server runs as Debian's `postgres`
/// user (`setpriv`, which execs: the process the tests hold is the server itself). Its data folder is written
/// without fsync: it lives only as long as the test process, which stops it on exit. Commits stay synchronous,
/// so a killed server (``kill()``) loses nothing it acknowledged, as a real one would.
public final class PostgresTestServer: Sendable {
    public let port: Int
    private let process: Mutex<SpawnedProcess>
    private let folder: String
    private let binaries: String
    private let runAs: [String]
    private let tls: Bool

    /// The server every test of this process shares.
    public static func shared() async throws -> PostgresTestServer {
        try await SharedServer.plain.server()
    }

    /// A second shared server that also takes TLS, with a self-signed certificate for `localhost`; plain
    /// connections still work. Kept apart from `shared()`: a client that prefers TLS and checks certificates
    /// (postgres-nio's default) would fail on it.
    public static func sharedWithTLS() async throws -> PostgresTestServer {
        try await SharedServer.withTLS.server()
    }

    private init(port: Int, process: SpawnedProcess, folder: String, binaries: String, runAs: [String], tls: Bool) {
        self.port = port
        self.tls = tls
        self.process = Mutex(process)
        self.folder = folder
        self.binaries = binaries
        self.runAs = runAs
    }

    /// A new, empty database on the server; its `postgres://` URL.
    public func createDatabase() async throws -> String {
        let name = "quill_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "quill", name])
        return "postgres://quill@127.0.0.1:\(port)/\(name)"
    }

    /// Runs `sql` on `database` with `psql`, for a test that must look at or change rows behind Quill's back.
    public func psql(_ sql: String, database url: String) async throws -> String {
        try await run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
    }

    /// A server of the test's own, to stop and start again; stopped when the process exits. With `tls`, it also
    /// takes TLS as ``sharedWithTLS()`` does (for a plugin that always asks for it).
    public static func startDedicated(tls: Bool = false) async throws -> PostgresTestServer {
        let server = try await start(tls: tls)
        ServerAtExit.servers.withLock { $0.append(server) }
        return server
    }

    /// Stops the server as a crash would, to see what Quill does when PostgreSQL goes away.
    public func kill() async {
        let process = process.withLock { $0 }
        process.send(SIGKILL)
        _ = await process.exitStatus()
        // Its backends notice the postmaster is gone and exit; the next start waits for them.
    }

    /// Starts the server again on the same port and data, after ``kill()``.
    public func restart() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let process = try Self.spawn(binaries: binaries, folder: folder, port: port, runAs: runAs, tls: tls)
            if try await Self.waitUntilReady(process, binaries: binaries, port: port) {
                self.process.withLock { $0 = process }
                return
            }
            // The old backends still held the data folder: try again.
            try await Task.sleep(for: .milliseconds(200))
        }
        throw PostgresTestServerError(description: "postgres did not start again; see the logs in \(folder)")
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run(
            URL(filePath: "\(binaries)/\(tool)"), arguments: arguments, timeLimit: .seconds(60))
        guard result.status == 0 else {
            throw PostgresTestServerError(description: "\(tool) failed: \(result.errorText)")
        }
        return result.text
    }

    fileprivate static func start(tls: Bool) async throws -> PostgresTestServer {
        guard let binaries = newestBinaries() else {
            throw PostgresTestServerError(description: "PostgreSQL is not installed (make test installs Debian's postgresql)")
        }
        let runAs = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : []
        let folder = "/tmp/quill-test-postgres-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0, let user = getpwnam("postgres") {
            chown(folder, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        let initdb = runAs + ["\(binaries)/initdb", "-D", "\(folder)/data", "-A", "trust", "-U", "quill", "--no-sync", "-E", "UTF8"]
        let initialized = try await ChildProcess.run(
            URL(filePath: initdb[0]), arguments: Array(initdb.dropFirst()), timeLimit: .seconds(120))
        guard initialized.status == 0 else {
            throw PostgresTestServerError(description: "initdb failed: \(initialized.errorText)")
        }
        if tls {
            // Made as the server's user, which must own its key; server.crt and server.key are its default names.
            let openssl = runAs + [
                "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-keyout", "\(folder)/data/server.key", "-out", "\(folder)/data/server.crt",
            ]
            let made = try await ChildProcess.run(URL(filePath: openssl[0]), arguments: Array(openssl.dropFirst()), timeLimit: .seconds(60))
            guard made.status == 0 else { throw PostgresTestServerError(description: "openssl failed: \(made.errorText)") }
        }
        for _ in 0..<5 {
            let port = try LoopbackPort().port
            let process = try spawn(binaries: binaries, folder: folder, port: port, runAs: runAs, tls: tls)
            if try await waitUntilReady(process, binaries: binaries, port: port) {
                return PostgresTestServer(port: port, process: process, folder: folder, binaries: binaries, runAs: runAs, tls: tls)
            }
            // Most likely another process took the port first: try another.
        }
        throw PostgresTestServerError(description: "postgres did not start; see the logs in \(folder)")
    }

    private static func spawn(binaries: String, folder: String, port: Int, runAs: [String], tls: Bool) throws -> SpawnedProcess {
        let command = runAs + [
            "\(binaries)/postgres", "-D", "\(folder)/data", "-p", String(port), "-k", folder,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
            "-c", "full_page_writes=off", "-c", "max_connections=300",
        ] + (tls ? ["-c", "ssl=on"] : [])
        let logPath = "\(folder)/postgres.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logPath), let nullDevice = FileHandle(forReadingAtPath: "/dev/null") else {
            throw PostgresTestServerError(description: "could not open \(logPath) or /dev/null")
        }
        defer {
            try? log.close()
            try? nullDevice.close()
        }
        _ = try? log.seekToEnd()
        return try SpawnedProcess(
            URL(filePath: command[0]), arguments: Array(command.dropFirst()),
            standardInput: nullDevice, standardOutput: log, standardError: log)
    }

    /// Whether the server took connections within a minute; killed when it didn't.
    private static func waitUntilReady(_ process: SpawnedProcess, binaries: String, port: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning && ContinuousClock.now < deadline {
            let ready = try? await ChildProcess.run(
                URL(filePath: "\(binaries)/pg_isready"), arguments: ["-h", "127.0.0.1", "-p", String(port), "-U", "quill"],
                timeLimit: .seconds(10))
            if ready?.status == 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.send(SIGKILL)
        return false
    }

    fileprivate func stopAndRemove() {
        // SIGQUIT: PostgreSQL's immediate shutdown, which also ends its backends.
        process.withLock { $0 }.send(SIGQUIT)
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func newestBinaries() -> String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.compactMap(Int.init).sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/postgres") }
    }
}

/// Starts one of the process's servers once, and stops it when the process exits.
private actor SharedServer {
    static let plain = SharedServer(tls: false)
    static let withTLS = SharedServer(tls: true)
    private let tls: Bool
    private var starting: Task<PostgresTestServer, any Error>?

    private init(tls: Bool) {
        self.tls = tls
    }

    func server() async throws -> PostgresTestServer {
        if let starting { return try await starting.value }
        let task = Task { [tls] in try await PostgresTestServer.start(tls: tls) }
        starting = task
        let server = try await task.value
        ServerAtExit.servers.withLock { $0.append(server) }
        return server
    }
}

/// The servers this process started, stopped when it exits.
private enum ServerAtExit {
    static let servers: Mutex<[PostgresTestServer]> = {
        atexit { ServerAtExit.servers.withLock { servers in servers.forEach { $0.stopAndRemove() } } }
        return Mutex([])
    }()
}

public struct PostgresTestServerError: Error, CustomStringConvertible {
    public var description: String
}
