import ChildProcesses
import Foundation
import QuillTestSupport

/// Runs the built `quill` executable, as a plugin developer would.
struct QuillProcess {
    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String], input: String? = nil, environment: [String: String]? = nil) async throws -> Output {
        let result = try await ChildProcess.run(
            QuillExecutable.url, arguments: arguments, environment: environment, input: input.map { Data($0.utf8) })
        return Output(status: result.status, standardOutput: result.text, standardError: result.errorText)
    }

    /// Runs `quill` under another program: `executable` is its command line, `quill` and `arguments` follow.
    static func run(_ arguments: [String], executable: [String], environment: [String: String]? = nil) async throws -> Output {
        let result = try await ChildProcess.run(
            URL(fileURLWithPath: executable[0]), arguments: Array(executable.dropFirst()) + [QuillExecutable.url.path] + arguments,
            environment: environment)
        return Output(status: result.status, standardOutput: result.text, standardError: result.errorText)
    }
}
