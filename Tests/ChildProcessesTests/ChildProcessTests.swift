import ChildProcesses
import Foundation
import Testing

@Suite struct ChildProcessTests {
    private let shell = URL(filePath: "/bin/sh")

    @Test func outputErrorsAndExitCodeComeBackSeparately() async throws {
        let result = try await ChildProcess.run(shell, arguments: ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.text == "out\n")
        #expect(result.errorText == "err\n")
    }

    @Test func inputEnvironmentAndDirectoryReachTheProgram() async throws {
        let directory = FileManager.default.temporaryDirectory
        let result = try await ChildProcess.run(
            shell, arguments: ["-c", "read line; echo \"$line $GREETING $(pwd)\""], environment: ["GREETING": "hello"],
            currentDirectory: directory, input: Data("typed\n".utf8))
        #expect(result.status == 0)
        #expect(result.text == "typed hello \(directory.resolvingSymlinksInPath().path)\n")
    }

    @Test func aProgramOverItsTimeLimitIsKilled() async throws {
        let result = try await ChildProcess.run(shell, arguments: ["-c", "exec sleep 60"], timeLimit: .milliseconds(200))
        #expect(result.status == SIGKILL)
    }

    /// The child sees its three standard streams and nothing else of this process, however many descriptors
    /// are open here (each listing of /proc/self/fd shows the one it reads through, too).
    @Test func onlyTheStandardStreamsAreInherited() async throws {
        let held = (0..<200).compactMap { _ in FileHandle(forReadingAtPath: "/dev/null") }
        defer { for handle in held { try? handle.close() } }
        let result = try await ChildProcess.run(URL(filePath: "/bin/ls"), arguments: ["/proc/self/fd"])
        #expect(result.text.split(separator: "\n").sorted() == ["0", "1", "2", "3"])
    }

    @Test func theChildStartsWithDefaultSignalHandling() async throws {
        // This process ignores SIGPIPE (Swift's runtime and NIO do); a child must not inherit that.
        signal(SIGPIPE, SIG_IGN)
        let result = try await ChildProcess.run(shell, arguments: ["-c", "grep SigIgn /proc/self/status"])
        let ignored = UInt64(result.text.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", radix: 16)
        #expect(ignored.map { $0 & (1 << (UInt64(SIGPIPE) - 1)) } == 0)
    }

    @Test func aMissingProgramIsAClearError() async throws {
        await #expect(throws: ChildProcessError.self) {
            try await ChildProcess.run(URL(filePath: "/nonexistent/program"), arguments: [])
        }
    }

    @Test func aSpawnedProcessReportsItsExitToEveryWaiter() async throws {
        let nullDevice = try #require(FileHandle(forReadingAtPath: "/dev/null"))
        let sink = try #require(FileHandle(forWritingAtPath: "/dev/null"))
        let process = try SpawnedProcess(
            shell, arguments: ["-c", "exec sleep 60"], standardInput: nullDevice, standardOutput: sink,
            standardError: sink)
        #expect(process.isRunning)
        process.send(SIGTERM)
        async let first = process.exitStatus()
        async let second = process.exitStatus()
        #expect(await [first, second] == [SIGTERM, SIGTERM])
        #expect(!process.isRunning)
    }
}
