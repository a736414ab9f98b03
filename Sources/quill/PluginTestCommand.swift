import ArgumentParser
import Foundation
import PluginRuntime
import Synchronization

struct PluginTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a plugin's own Jest tests, without Node.",
        discussion: """
            Finds the plugin's test files (Jest's testMatch: __tests__/ folders and *.test.js/ts, *.spec.js/ts; or \
            the plugin's jest.config / package.json "jest" settings), compiles each with esbuild and runs it in \
            JavaScriptCore with the modules a plugin gets on the server. Prints each test as it finishes, the \
            failures, and a last line of counts. Exits 0 only when no test failed.
            """
    )

    @Argument(help: "The plugin's folder.")
    var directory: String

    @Option(help: "Run only the tests whose full name (describe blocks and test) contains this text, ignoring case.")
    var filter: String?

    @Flag(help: "Rewrite the snapshots that differ and remove obsolete ones (Jest's -u).")
    var updateSnapshots = false

    @Flag(help: "Write no snapshots: a missing one fails (Jest's --ci).")
    var ci = false

    func validate() throws {
        if updateSnapshots && ci { throw ValidationError("--update-snapshots and --ci can't be used together") }
    }

    func run() async throws {
        try await reportingFailures {
            let reporter = TestReporter()
            let summary: PluginTestSummary
            do throws(PluginTestError) {
                summary = try await PluginTests.run(
                    folder: URL(fileURLWithPath: directory),
                    options: PluginTestOptions(filter: filter, snapshotUpdate: updateSnapshots ? .all : ci ? .none : .missing),
                    providedModules: PluginRuntime.providedModules, report: { reporter.print($0) })
            } catch {
                throw CommandFailure(error.description)
            }
            reporter.printSummary(summary)
            if !summary.succeeded { throw ExitCode(1) }
        }
    }
}

/// Prints a test run as Jest's verbose reporter does: each test as it finishes, a file's failures after its
/// tests, then the counts. Console output of the tests goes to standard error.
private final class TestReporter: Sendable {
    /// The current file's failure reports, printed once its tests are listed.
    private let failures = Mutex<[String]>([])

    func print(_ event: PluginTestEvent) {
        switch event {
        case .fileStarted(let path):
            write(path)
        case .test(let names, let status, let milliseconds, let failure):
            let name = names.joined(separator: " › ")
            let time = milliseconds.map { $0 > 0 ? " (\($0) ms)" : "" } ?? ""
            switch status {
            case .passed: write("  ✓ \(name)\(time)")
            case .failed: write("  ✕ \(name)\(time)")
            case .skipped: write("  ○ skipped \(name)")
            case .todo: write("  ✎ todo \(name)")
            }
            if let failure { failures.withLock { $0.append(failure) } }
        case .fileFailed(let failure):
            write("  ✕ test file failed")
            failures.withLock { $0.append(failure) }
        case .console(let method, let message):
            let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
            let text = "  console.\(method): " + lines.joined(separator: "\n    ") + "\n"
            FileHandle.standardError.write(Data(text.utf8))
        case .fileFinished:
            let reports = failures.withLock { reports in
                defer { reports = [] }
                return reports
            }
            for report in reports { write("\n\(report)") }
            write("")
        }
    }

    func printSummary(_ summary: PluginTestSummary) {
        let snapshots = summary.snapshots
        let snapshotCounts = [
            (snapshots.written, "written"), (snapshots.updated, "updated"), (snapshots.failed, "failed"),
            (snapshots.obsolete, "obsolete"), (snapshots.removed, "removed"), (snapshots.unwritable, "inline not written"),
        ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !snapshotCounts.isEmpty { write("Snapshots: \(snapshotCounts.joined(separator: ", "))") }
        var counts = ["\(summary.passed) passed", "\(summary.failed) failed"]
        if summary.skipped > 0 { counts.append("\(summary.skipped) skipped") }
        if summary.todo > 0 { counts.append("\(summary.todo) todo") }
        if summary.failedFiles > 0 { counts.append("\(summary.failedFiles) test file\(summary.failedFiles == 1 ? "" : "s") failed") }
        write(counts.joined(separator: ", "))
    }

    private func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
