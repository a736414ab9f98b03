public import Foundation

/// A one-way channel whose ends close on `exec`, so only the child it is given to holds an end.
///
/// Foundation's `Pipe` leaves both ends open across `exec`: every process spawned while the pipe exists
/// (by any library in this process) inherits them, and a reader waiting for end-of-file then waits for that
/// unrelated process too (a test run once hung on a Python client's output because a server spawned beside
/// it held the pipe). `SpawnedProcess` hands an end to its child with `dup2`, which clears close-on-exec on
/// the copy. It is a socket pair because Swift's Glibc module doesn't offer `pipe2`, and `pipe` then
/// `fcntl` would leave a window.
public struct PrivatePipe: Sendable {
    public let reading: FileHandle
    public let writing: FileHandle

    public init() throws {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        reading = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        writing = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
    }
}

/// Runs programs to their end without holding a thread of Swift's cooperative pool: output is read and
/// input written on threads of their own, and the exit is awaited from the reaper's thread.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: Data
        /// Empty when the run merged it into `standardOutput`.
        public var standardError: Data

        public var text: String { String(decoding: standardOutput, as: UTF8.self) }
        public var errorText: String { String(decoding: standardError, as: UTF8.self) }
    }

    /// Runs `executable` and returns once it has exited and closed its output.
    ///
    /// - Parameters:
    ///   - input: Written to its standard input, which is then closed; without it, the null device.
    ///   - mergingErrors: Whether standard error goes into `standardOutput`, interleaved as printed.
    ///   - timeLimit: When given, a program still running after it is killed (SIGKILL); its status then says so.
    public static func run(
        _ executable: URL, arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil,
        input: Data? = nil, mergingErrors: Bool = false, timeLimit: Duration? = nil
    ) async throws -> Output {
        let output = try PrivatePipe()
        let errors = mergingErrors ? output : try PrivatePipe()
        let inputPipe = try input.map { _ in try PrivatePipe() }
        guard let nullDevice = FileHandle(forReadingAtPath: "/dev/null") else {
            throw ChildProcessError(description: "/dev/null could not be opened")
        }
        let process = try SpawnedProcess(
            executable, arguments: arguments, environment: environment, currentDirectory: currentDirectory,
            standardInput: inputPipe?.reading ?? nullDevice, standardOutput: output.writing,
            standardError: errors.writing)
        // The child has its own copies now; ours would keep the reads from ever seeing end-of-file.
        try? output.writing.close()
        try? errors.writing.close()
        try? inputPipe?.reading.close()
        try? nullDevice.close()
        if let input, let inputPipe {
            onOwnThread {
                try? inputPipe.writing.write(contentsOf: input)
                try? inputPipe.writing.close()
            }
        }
        let killer = timeLimit.map { limit in
            Task {
                try await Task.sleep(for: limit)
                process.send(SIGKILL)
            }
        }
        async let standardOutput = readToEnd(output.reading)
        async let standardError = mergingErrors ? Data() : readToEnd(errors.reading)
        let (outputData, errorData) = await (standardOutput, standardError)
        let status = await process.exitStatus()
        killer?.cancel()
        return Output(status: status, standardOutput: outputData, standardError: errorData)
    }

    /// Everything `handle` yields until end-of-file, read on a thread of its own.
    private static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            onOwnThread { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    private static func onOwnThread(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread(block: work)
        thread.name = "child-process-io"
        thread.start()
    }
}
