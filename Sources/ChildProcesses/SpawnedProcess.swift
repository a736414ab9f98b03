internal import CSpawn
public import Foundation
import Synchronization

/// A program this process started, reaped by a thread of its own the moment it exits.
public final class SpawnedProcess: Sendable {
    public let processIdentifier: Int32
    private let state = Mutex(State())

    private struct State {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    /// Starts `executable` (a path, not searched for) with its standard streams on the given handles and every
    /// other descriptor of this process closed in it.
    ///
    /// - Parameter environment: The child's whole environment; without it, this process's.
    public init(
        _ executable: URL, arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil,
        standardInput: FileHandle, standardOutput: FileHandle, standardError: FileHandle
    ) throws {
        let argumentStrings = [executable.path] + arguments
        let environmentStrings = environment.map { $0.map { "\($0.key)=\($0.value)" } }
        var pid: pid_t = 0
        let status = withCStrings(argumentStrings) { argv in
            let spawn = { (envp: UnsafePointer<UnsafeMutablePointer<CChar>?>) in
                if let currentDirectory {
                    return quill_spawn(
                        executable.path, argv, envp, standardInput.fileDescriptor, standardOutput.fileDescriptor,
                        standardError.fileDescriptor, currentDirectory.path, &pid)
                }
                return quill_spawn(
                    executable.path, argv, envp, standardInput.fileDescriptor, standardOutput.fileDescriptor,
                    standardError.fileDescriptor, nil, &pid)
            }
            guard let environmentStrings else { return spawn(environ) }
            return withCStrings(environmentStrings, spawn)
        }
        guard status == 0 else {
            throw ChildProcessError(description: "\(executable.path) could not be started: \(String(cString: strerror(status)))")
        }
        processIdentifier = pid
        // The reaper holds this object until the program exits.
        let reaper = Thread { [self, pid] in
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            // A normal exit gives its code; a death by signal gives the signal's number, as Foundation's Process does.
            let status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
            let waiters = self.state.withLock { state in
                state.status = status
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
        reaper.name = "child-process-reaper"
        reaper.start()
    }

    public var isRunning: Bool { state.withLock { $0.status == nil } }

    /// Sends `signal` unless the program has exited (and its process id may belong to another one by now).
    public func send(_ signal: Int32) {
        state.withLock { state in
            if state.status == nil { kill(processIdentifier, signal) }
        }
    }

    /// Waits without holding a thread for the program to exit; its exit code, or the signal that ended it.
    public func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
}

/// Calls `body` with `strings` as a NULL-terminated array of C strings that live for the call.
private func withCStrings<Result>(
    _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
) -> Result {
    let copies = strings.map { strdup($0) } + [nil]
    defer { for copy in copies { free(copy) } }
    return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
}
