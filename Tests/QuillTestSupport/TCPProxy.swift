import ChildProcesses
import Foundation

/// A TCP proxy on 127.0.0.1 in front of a test server that the test can cut and reopen, for a destination outage
/// where the destination itself can't go away (moto keeps everything in memory). `tcp_proxy.py` beside this file.
public final class TCPProxy: Sendable {
    private let server: LoopbackServerProcess
    public var port: Int { server.port }
    private var process: SpawnedProcess { server.process }

    public var url: String { "http://127.0.0.1:\(port)" }

    private init(_ server: LoopbackServerProcess) {
        self.server = server
    }

    /// Starts a proxy to 127.0.0.1:`target` on a free port and returns once it takes connections.
    public static func start(to target: Int) async throws -> TCPProxy {
        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/QuillTestSupport/tcp_proxy.py")
        guard
            let server = try await LoopbackServerProcess.start(
                "tcp-proxy", executable: URL(filePath: "/usr/bin/env"),
                arguments: { ["python3", script.path, String($0), String(target)] }, within: .seconds(30))
        else {
            throw TCPProxyError(description: "tcp_proxy.py did not start")
        }
        return TCPProxy(server)
    }

    /// Resets every connection through the proxy and refuses new ones; returns once they are refused.
    public func cut() async throws {
        process.send(SIGUSR1)
        try await waitUntil(accepting: false)
    }

    /// Cuts the proxy as ``cut()`` does, half way through the next request that goes through it (an interrupted
    /// upload); returns once it is cut.
    public func cutDuringNextRequest() async throws {
        process.send(SIGHUP)
        try await waitUntil(accepting: false, within: .seconds(60))
    }

    /// Cuts the proxy as ``cut()`` does when the target next answers: the request reached it whole (an upload the
    /// target stored), its answer is lost. Returns once it is cut.
    public func cutBeforeNextAnswer() async throws {
        process.send(SIGALRM)
        try await waitUntil(accepting: false, within: .seconds(60))
    }

    /// Takes connections again; returns once it does.
    public func reopen() async throws {
        process.send(SIGUSR2)
        try await waitUntil(accepting: true)
    }

    private func waitUntil(accepting: Bool, within limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + limit
        while LoopbackPort.accepts(port: port) != accepting {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TCPProxyError(description: "the proxy did not \(accepting ? "reopen" : "close") within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

public struct TCPProxyError: Error, CustomStringConvertible {
    public var description: String
}
