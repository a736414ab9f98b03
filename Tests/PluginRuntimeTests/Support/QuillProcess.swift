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

    static func run(_ arguments: [String], input: String? = nil) async throws -> Output {
        let result = try await ChildProcess.run(QuillExecutable.url, arguments: arguments, input: input.map { Data($0.utf8) })
        return Output(status: result.status, standardOutput: result.text, standardError: result.errorText)
    }
}
