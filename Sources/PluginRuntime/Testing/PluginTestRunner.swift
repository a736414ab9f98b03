public import Foundation
import JavaScriptEngine

/// How `quill plugin test` treats snapshots.
public enum SnapshotUpdate: String, Sendable {
    /// Write snapshots that don't exist yet; a different one fails (Jest's default outside CI).
    case missing = "new"
    /// Also rewrite snapshots that differ, and drop obsolete ones (`--update-snapshots`, Jest's `-u`).
    case all
    /// Write nothing; a missing snapshot fails (Jest's `--ci`).
    case none
}

public struct PluginTestOptions: Sendable {
    /// Runs only the tests whose full name (describe blocks and test, joined by spaces) contains this, ignoring case.
    public var filter: String?
    public var snapshotUpdate: SnapshotUpdate

    public init(filter: String? = nil, snapshotUpdate: SnapshotUpdate = .missing) {
        self.filter = filter
        self.snapshotUpdate = snapshotUpdate
    }
}

/// What happens while a plugin's tests run, in order, for a reporter to print.
public enum PluginTestEvent: Sendable {
    public enum Status: String, Sendable {
        case passed, failed, skipped, todo
    }

    /// A test file starts: its path relative to the plugin folder.
    case fileStarted(String)
    /// A test finished: its describe blocks and name, how it ended, how long it took, and for a failure Jest's
    /// report of it (messages, diffs, where in the plugin's files, the code there).
    case test(names: [String], status: Status, milliseconds: Int?, failure: String?)
    /// A failure outside any test: a file that doesn't compile or load, or a failing `afterAll`.
    case fileFailed(failure: String)
    /// A test's `console.log` (or `info`, `warn`, `error`, `debug`) line.
    case console(method: String, message: String)
    /// A test file is done: what its snapshots did.
    case fileFinished(String, snapshots: SnapshotSummary)
}

/// What a test file's (or a run's) snapshots did.
public struct SnapshotSummary: Sendable, Equatable {
    public var written = 0
    public var updated = 0
    public var failed = 0
    /// Snapshots in the file that no test checks any more (`--update-snapshots` removes them).
    public var obsolete = 0
    public var removed = 0
    /// Inline snapshots that could not be written into the test file.
    public var unwritable = 0

    public init() {}

    mutating func add(_ other: SnapshotSummary) {
        written += other.written
        updated += other.updated
        failed += other.failed
        obsolete += other.obsolete
        removed += other.removed
        unwritable += other.unwritable
    }
}

public struct PluginTestSummary: Sendable, Equatable {
    public var files: [String] = []
    public var passed = 0
    public var failed = 0
    public var skipped = 0
    public var todo = 0
    /// Files that failed outside their tests: not compiled, not loaded, or a failing `afterAll`.
    public var failedFiles = 0
    public var snapshots = SnapshotSummary()

    public var succeeded: Bool { failed == 0 && failedFiles == 0 }
}

/// `quill plugin test`: runs a plugin's own Jest tests in JavaScriptCore.
///
/// Each test file is compiled with esbuild (``TestFileCompiler``) and runs in a fresh context on one script
/// thread, with the plugin VM's built-in modules and the Jest environment of `JavaScript/Jest/`.
public enum PluginTests {
    /// Runs the tests of the plugin in `folder`; `report` gets each event as it happens, on the script thread.
    public static func run(
        folder: URL, options: PluginTestOptions, providedModules: Set<String>,
        report: @escaping @Sendable (PluginTestEvent) -> Void
    ) async throws(PluginTestError) -> PluginTestSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PluginTestError("\(folder.path) is not a folder")
        }
        let runner = TestFileRunner()
        defer { runner.shutdown() }
        let configuration = try await JestConfiguration.load(from: folder) { (file, source) throws(PluginTestError) in
            try await runner.evaluateConfiguration(file: file, source: source, folder: folder)
        }
        let files = try configuration.testFiles(in: folder)
        guard !files.isEmpty else {
            let patterns = configuration.testRegex.isEmpty ? configuration.testMatch : configuration.testRegex
            throw PluginTestError(
                "No test files found in \(folder.path) (\(configuration.file ?? "Jest's default testMatch"): \(patterns.joined(separator: ", ")))")
        }
        let compiler = TestFileCompiler(pluginFolder: folder, providedModules: providedModules)
        var summary = PluginTestSummary(files: files)
        for path in files {
            report(.fileStarted(path))
            let outcome = await runner.run(path, compiler: compiler, configuration: configuration, options: options, report: report)
            summary.passed += outcome.passed
            summary.failed += outcome.failed
            summary.skipped += outcome.skipped
            summary.todo += outcome.todo
            if outcome.fileFailed { summary.failedFiles += 1 }
            summary.snapshots.add(outcome.snapshots)
            report(.fileFinished(path, snapshots: outcome.snapshots))
        }
        return summary
    }
}

/// Counts of one test file's run.
struct TestFileOutcome: Sendable {
    var passed = 0
    var failed = 0
    var skipped = 0
    var todo = 0
    var fileFailed = false
    var snapshots = SnapshotSummary()
}
