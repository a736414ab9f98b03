import Foundation
import JavaScriptEngine

/// Runs test files, one at a time, each in a fresh context on one script thread.
actor TestFileRunner {
    private let thread: ScriptThread
    private let group: ScriptContextGroup

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// The parts of the Jest environment, by the names `jest-environment.js` gives them.
    private static let parts: [(name: String, file: String, source: String)] = [
        ("prettyFormat", "pretty-format", EmbeddedJavaScript.prettyFormat),
        ("jestDiff", "jest-diff", EmbeddedJavaScript.jestDiff),
        ("sourceMap", "source-map", EmbeddedJavaScript.sourceMap),
        ("jestMock", "jest-mock", EmbeddedJavaScript.jestMock),
        ("jestTimers", "jest-timers", EmbeddedJavaScript.jestTimers),
        ("jestSnapshot", "jest-snapshot", EmbeddedJavaScript.jestSnapshot),
        ("jestExpect", "jest-expect", EmbeddedJavaScript.jestExpect),
        ("jestCircus", "jest-circus", EmbeddedJavaScript.jestCircus),
        ("jestFetchMock", "jest-fetch-mock", EmbeddedJavaScript.jestFetchMock),
    ]

    /// How long the runner's own synchronous work (loading the file, reporting, snapshots) may run in one go.
    static let runnerTimeLimit = Duration.seconds(15)

    init() {
        thread = ScriptThread(name: "quill-plugin-test")
        group = ScriptContextGroup(thread: thread, timeLimit: Self.runnerTimeLimit)
    }

    nonisolated func shutdown() {
        thread.shutdown()
    }

    /// A `jest.config.js` (or `.ts`, `.mjs`, `.cjs`): compiled to CommonJS and run, its export (an object, or a
    /// function returning one or a promise of one) as JSON.
    func evaluateConfiguration(file: String, source: String, folder: URL) async throws(PluginTestError) -> Data {
        let compiler = TestFileCompiler(pluginFolder: folder, providedModules: [])
        let code: String
        do {
            code = try await compiler.commonJS(source, name: file, in: folder)
        } catch {
            throw PluginTestError("\(file) does not compile: \(error.description)")
        }
        let context = ScriptContext(group: group, name: file)
        do {
            let load = try context.evaluate(
                """
                (function (module, exports, require, process, __dirname) {
                \(code)
                })
                """, sourceURL: file)
            let module = try context.evaluate("({ exports: {} })")
            let require = context.function { arguments, _ in
                let name = (try? arguments.first?.toString()) ?? ""
                throw HostFunctionError(message: "require('\(name)') is not available to a Jest configuration in quill plugin test")
            }
            _ = try load.call([module, try module.get("exports"), require, try context.evaluate("({ env: {} })"), context.string(folder.path)])
            let read = try context.evaluate(
                """
                (async (exported) => {
                  let config = exported && exported.__esModule ? exported.default : exported;
                  if (typeof config === 'function') config = await config();
                  return JSON.stringify(config, (key, value) => (value instanceof RegExp ? value.source : value));
                })
                """)
            let json = try await read.call([try module.get("exports")]).settled(timeLimit: .seconds(5), description: file)
            guard json.isString else { throw PluginTestError("\(file): the configuration must be an object") }
            return Data(try json.toString().utf8)
        } catch let error as PluginTestError {
            throw error
        } catch {
            throw PluginTestError("\(file) failed: \(error)")
        }
    }

    func run(
        _ path: String, compiler: TestFileCompiler, configuration: JestConfiguration, options: PluginTestOptions,
        report: @escaping @Sendable (PluginTestEvent) -> Void
    ) async -> TestFileOutcome {
        let recorder = TestFileRecorder(report: report)
        let file = compiler.pluginFolder.appending(path: path)
        guard let data = try? Data(contentsOf: file), let source = String(data: data, encoding: .utf8) else {
            recorder.fail("● Test suite failed to run\n\n    Could not read \(path) as UTF-8 text")
            return recorder.outcome
        }
        let compiled: CompiledTestFile
        do {
            compiled = try await compiler.compile(path, source: source, setupFiles: configuration.setupFiles)
        } catch {
            recorder.fail("● Test suite failed to run\n\n    \(error.description)")
            return recorder.outcome
        }
        let snapshotFile = file.deletingLastPathComponent().appending(path: "__snapshots__/\(file.lastPathComponent).snap")
        let existingSnapshots = FileManager.default.fileExists(atPath: snapshotFile.path)
            ? (try? String(contentsOf: snapshotFile, encoding: .utf8)) : nil
        let bundleURL = "bundle:\(path)"
        let context = ScriptContext(group: group, name: "test \(path)")
        let progress = RunProgress(group: group)
        // A test file's `pg` connections end with it.
        let pgConnections = PgConnections()
        defer { pgConnections.closeAll() }
        do {
            let environment = try makeEnvironment(
                in: context, recorder: recorder, progress: progress, pgConnections: pgConnections,
                options: environmentOptions(
                    path: path, source: source, absolutePath: file.path, bundleURL: bundleURL, compiled: compiled,
                    existingSnapshots: existingSnapshots, configuration: configuration, options: options))
            do {
                try context.evaluate(compiled.code, sourceURL: bundleURL)
            } catch {
                try environment.callMethod(
                    "loadError", [context.string(error.name), context.string(error.message), context.string(error.stack ?? "")])
                return recorder.outcome
            }
            guard let result = try await finished(environment.callMethod("run"), progress: progress) else {
                recorder.fail(
                    "● Test suite failed to run\n\n    The test file stopped making progress: code still running after its test "
                        + "(an async loop that was never awaited?) held the runner past \(Self.runnerTimeLimit)")
                return recorder.outcome
            }
            try save(result: result, source: source, file: file, snapshotFile: snapshotFile, recorder: recorder)
        } catch {
            recorder.fail("● Test suite failed to run\n\n    Quill's test environment failed: \(error)")
        }
        return recorder.outcome
    }

    /// The run's result once its promise settles; nil when the run stopped making progress (the deadline the
    /// environment keeps moving passed), so a runner that can never finish doesn't hold up the other files.
    private func finished(_ run: ScriptValue, progress: RunProgress) async throws(ScriptError) -> String? {
        while true {
            do {
                return try await run.settled(timeLimit: .seconds(1), description: "the test file").toString()
            } catch where error.kind == .timeout {
                if progress.isOverdue { return nil }
            }
        }
    }

    private func environmentOptions(
        path: String, source: String, absolutePath: String, bundleURL: String, compiled: CompiledTestFile,
        existingSnapshots: String?, configuration: JestConfiguration, options: PluginTestOptions
    ) throws -> String {
        let format = try configuration.snapshotFormat.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? NSNull()
        let object: [String: Any] = [
            "testPath": path, "testSource": source, "absolutePath": absolutePath, "bundleURL": bundleURL,
            "sourceMap": compiled.sourceMap,
            "snapshot": ["existing": existingSnapshots ?? NSNull(), "update": options.snapshotUpdate.rawValue, "format": format],
            "filter": options.filter ?? NSNull(), "testTimeout": configuration.testTimeout,
            "clearMocks": configuration.clearMocks, "resetMocks": configuration.resetMocks, "restoreMocks": configuration.restoreMocks,
            "actualModules": compiled.mockedPackages,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Evaluates the environment's parts and installs it in `context`; returns its `{loadError, run}`.
    private func makeEnvironment(
        in context: ScriptContext, recorder: TestFileRecorder, progress: RunProgress, pgConnections: PgConnections,
        options: String
    ) throws -> ScriptValue {
        let parts = context.object()
        for part in Self.parts {
            try parts.set(part.name, context.evaluate("(\(part.source))", sourceURL: "quill:jest/\(part.file).js"))
        }
        let host = context.object()
        try HostPrimitives.installModules(
            on: host, in: context, fetchPolicy: FetchPolicy(), server: nil, pgConnections: pgConnections,
            storageEmulatorHost: ProcessInfo.processInfo.environment[PluginHostServices.storageEmulatorHostVariable])
        let testHost = context.object()
        try testHost.set(
            "report",
            context.function { arguments, _ in
                recorder.record(try arguments.first?.toString() ?? "")
                return nil
            })
        try testHost.set(
            "write",
            context.function { arguments, _ in
                guard arguments.count == 2 else { return nil }
                recorder.report(.console(method: try arguments[0].toString(), message: try arguments[1].toString()))
                return nil
            })
        // A test or hook starts: its synchronous code may run as long as its time-out, then the engine stops it.
        try testHost.set(
            "callStarts",
            context.function { arguments, _ in
                let milliseconds = try arguments.first?.toNumber() ?? 0
                guard milliseconds.isFinite, milliseconds > 0 else {
                    throw HostFunctionError(name: "RangeError", message: "a time-out must be a positive number of milliseconds")
                }
                progress.expect(within: .milliseconds(Int64(min(milliseconds, 86_400_000))))
                return nil
            })
        try testHost.set(
            "callEnds",
            context.function { _, _ in
                progress.expect(within: Self.runnerTimeLimit)
                return nil
            })
        let install = try context.evaluate(
            "(\(JavaScriptInclude.logFormat.included(in: EmbeddedJavaScript.jestEnvironment)))", sourceURL: "quill:jest/jest-environment.js")
        return try install.call([parts, host, testHost, try context.parseJSON(options)])
    }

    /// Writes the snapshot file and the test file's inline snapshots when they changed, and counts the snapshots.
    private func save(result: String, source: String, file: URL, snapshotFile: URL, recorder: TestFileRecorder) throws {
        struct Result: Decodable {
            struct SnapshotFile: Decodable {
                var keep: Bool?
                var content: String?
            }
            struct Counts: Decodable {
                var added: Int
                var updated: Int
                var unmatched: Int
                var obsolete: Int
                var removed: Int
                var inlineUnwritable: Int
            }
            var snapshotFile: SnapshotFile
            var counts: Counts
            var testSource: String?
        }
        let decoded = try JSONDecoder().decode(Result.self, from: Data(result.utf8))
        var snapshots = SnapshotSummary()
        snapshots.written = decoded.counts.added
        snapshots.updated = decoded.counts.updated
        snapshots.failed = decoded.counts.unmatched
        snapshots.obsolete = decoded.counts.obsolete
        snapshots.removed = decoded.counts.removed
        snapshots.unwritable = decoded.counts.inlineUnwritable
        recorder.outcome.snapshots = snapshots
        if decoded.snapshotFile.keep != true {
            if let content = decoded.snapshotFile.content {
                try FileManager.default.createDirectory(at: snapshotFile.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: snapshotFile)
            } else {
                try? FileManager.default.removeItem(at: snapshotFile)
            }
        }
        // Only over the text the tests ran from: an edit made meanwhile is not overwritten.
        if let updated = decoded.testSource, updated != source,
            let current = try? String(contentsOf: file, encoding: .utf8), current == source
        {
            try Data(updated.utf8).write(to: file)
        }
    }
}

/// Counts what a test file reports and passes it on; used on the script thread only.
final class TestFileRecorder {
    var outcome = TestFileOutcome()
    let report: @Sendable (PluginTestEvent) -> Void

    init(report: @escaping @Sendable (PluginTestEvent) -> Void) {
        self.report = report
    }

    func fail(_ failure: String) {
        outcome.fileFailed = true
        report(.fileFailed(failure: failure))
    }

    /// One event of the environment's, as JSON: `{event: "test", names, status, duration, failure}` or
    /// `{event: "fileError", failure}`.
    func record(_ json: String) {
        struct Event: Decodable {
            var event: String
            var names: [String]?
            var status: String?
            var duration: Double?
            var failure: String?
        }
        guard let event = try? JSONDecoder().decode(Event.self, from: Data(json.utf8)) else { return }
        if event.event == "fileError" {
            fail(event.failure ?? "● Test suite failed to run")
            return
        }
        guard let status = event.status.flatMap(PluginTestEvent.Status.init(rawValue:)) else { return }
        switch status {
        case .passed: outcome.passed += 1
        case .failed: outcome.failed += 1
        case .skipped: outcome.skipped += 1
        case .todo: outcome.todo += 1
        }
        let milliseconds = event.duration.flatMap { $0.isFinite ? Int(exactly: $0.rounded()) : nil }
        report(.test(names: event.names ?? [], status: status, milliseconds: milliseconds, failure: event.failure))
    }
}

/// When a test file's run must next show progress: each test or hook must end within its time-out, and the runner
/// must start the next one within its own limit. Also sets the engine's limit on one synchronous entry to match.
/// Used on the script thread only.
final class RunProgress {
    private let group: ScriptContextGroup
    private var deadline: ContinuousClock.Instant

    /// A stopped entry is reported a little after the time it had, so the environment's own time-out is seen first.
    private static let grace = Duration.seconds(5)

    init(group: ScriptContextGroup) {
        self.group = group
        group.timeLimit = TestFileRunner.runnerTimeLimit
        deadline = .now + TestFileRunner.runnerTimeLimit + Self.grace
    }

    func expect(within limit: Duration) {
        group.timeLimit = limit
        deadline = .now + limit + Self.grace
    }

    var isOverdue: Bool { ContinuousClock.now > deadline }
}
