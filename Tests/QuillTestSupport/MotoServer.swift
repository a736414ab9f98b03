import ChildProcesses
import Foundation

/// A throw-away moto server (the `moto[server]` of scripts/requirements-test.txt) on 127.0.0.1: AWS's S3 and
/// Kinesis APIs, kept in memory, for the `aws-sdk` module's tests. Any credentials are accepted.
public final class MotoServer: Sendable {
    private let server: LoopbackServerProcess
    public var port: Int { server.port }

    public var url: String { "http://127.0.0.1:\(port)" }

    private init(_ server: LoopbackServerProcess) {
        self.server = server
    }

    /// Starts a server on a free port and returns once it takes connections.
    public static func start() async throws -> MotoServer {
        let folder = try TemporaryFolder()
        // moto_server with its Kinesis puts made safe for concurrency (see the script).
        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/QuillTestSupport/moto_server.py")
        // Python takes a while to import moto's services, more on a busy machine.
        guard
            let server = try await LoopbackServerProcess.start(
                "moto", executable: URL(filePath: "/usr/bin/env"),
                arguments: { ["python3", script.path, "-H", "127.0.0.1", "-p", String($0)] }, logFolder: folder, within: .seconds(60))
        else {
            throw MotoServerError(description: "moto_server did not start; is moto[server] installed (make test)?")
        }
        return MotoServer(server)
    }
}

public struct MotoServerError: Error, CustomStringConvertible {
    public var description: String
}
