import Foundation
import Hummingbird
import OrderedJSON
import PluginManifest
import PluginRuntime
import Storage
import Synchronization

/// `POST /api/projects/:project_id/plugin_test_runs/`: runs unsaved plugin code on one event, as
/// `quill plugin run` does, in a throwaway runtime with in-memory cache and storage.
///
/// A plugin that fails (bad plugin.json, a compile error, a config value, a throw) is a result,
/// not an HTTP error: the answer is 200 with `error` set, at its line for compile errors.
struct PluginTestRunController: Sendable {
    let authenticator: ManagementAuthenticator
    let compiler: PluginCompiler

    /// Shorter than the server's: a person is waiting for the answer.
    static let timeLimit: Duration = .seconds(10)

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .post, "api/projects/:project_id/plugin_test_runs", summary: "Run unsaved plugin code's processEvent on an event",
                tag: .plugins, body: [.json("PluginTestRun")], bodyRequired: true, answers: [.json("PluginTestRunResult")],
                errors: [.badRequest, .forbidden, .notFound, .contentTooLarge], handler: run)
        ]
    }

    /// `{"source": {file: text}, "config": {key: value}, "event": {…}}`.
    private func run(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let body = try await ManagementRequest.jsonObject(request)
        guard case .object(let sourceObject)? = body["source"] else {
            throw APIError.invalidInput("'source' must map file names to their text.", attribute: "source")
        }
        var files: [String: String] = [:]
        for (name, value) in sourceObject {
            guard let text = value.stringValue else { throw APIError.invalidInput("Each file in 'source' must be text.", attribute: name) }
            files[name] = text
        }
        guard case .object(let event)? = body["event"] else {
            throw APIError.invalidInput("'event' must be an event object.", attribute: "event")
        }
        var config: [String: String] = [:]
        switch body["config"] {
        case nil, .null?: break
        case .object(let values)?:
            for (key, value) in values { config[key] = value.configText }
        default: throw APIError.invalidInput("'config' must be an object of values.", attribute: "config")
        }
        let outcome = await testRun(files: files, config: config, event: .object(event), teamID: project.id)
        return Response.json(outcome.json)
    }

    private func testRun(files: [String: String], config: [String: String], event: JSONValue, teamID: Int) async -> TestRunOutcome {
        guard let manifestText = files["plugin.json"] else {
            return TestRunOutcome(error: .init(stage: "manifest", message: "There is no plugin.json.", file: "plugin.json"))
        }
        let manifest: PluginManifest
        do {
            manifest = try PluginManifest.parse(Data(manifestText.utf8))
        } catch {
            return TestRunOutcome(error: .init(stage: "manifest", message: error.description, file: "plugin.json"))
        }
        let entry = manifest.entryFileName { files[$0] != nil }
        let code: CompiledPlugin
        do {
            code = try await compiler.compile(files: files, entry: entry)
        } catch {
            return TestRunOutcome(
                error: .init(stage: "compile", message: error.message, file: error.file ?? entry, line: error.line, column: error.column))
        }
        let values: [String: String]
        do {
            values = try manifest.configSchema.validate(config, attachmentKeys: [])
        } catch {
            return TestRunOutcome(error: .init(stage: "config", message: error.description, field: error.fieldErrors.first?.key))
        }

        let logs = CollectedLogs()
        let runtime = PluginRuntime(
            configuration: PluginRuntimeConfiguration(workerCount: 1, timeLimit: Self.timeLimit, setupRetryDelays: []),
            services: PluginHostServices(cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: logs))
        let definition = PluginConfigDefinition(
            id: 1, teamID: teamID, pluginID: 1, pluginName: manifest.name, config: values, attachments: [:], code: code)
        var outcome = await process(event, with: definition, on: runtime, entry: entry)
        await runtime.shutdown()
        outcome.logs = logs.lines
        return outcome
    }

    private func process(
        _ event: JSONValue, with definition: PluginConfigDefinition, on runtime: PluginRuntime, entry: String
    ) async -> TestRunOutcome {
        if case .disabled(let reason) = await runtime.load(definition) {
            return TestRunOutcome(error: .init(stage: "setup", message: reason, file: entry))
        }
        let result: ChainResult
        do {
            result = try await runtime.processEvent(event.serialized(), teamID: definition.teamID, recordingPluginLists: false)
        } catch {
            return TestRunOutcome(error: .init(stage: "event", message: "\(error)"))
        }
        guard result.failed.isEmpty else {
            let failure = await runtime.lastError(pluginConfigID: definition.id, teamID: definition.teamID)
            return TestRunOutcome(
                error: .init(
                    stage: "processEvent", message: failure.map { "\($0.name): \($0.message)" } ?? "processEvent failed.", file: entry))
        }
        var outcome = TestRunOutcome()
        if let output = result.event { outcome.event = (try? JSONValue.parse(output)) ?? .null }
        return outcome
    }
}

/// What a test run answers: the output event (`null` when dropped or failed), the log lines, the error.
private struct TestRunOutcome {
    struct Failure {
        /// Where it failed: manifest, compile, config, setup, event or processEvent.
        var stage: String
        var message: String
        /// The config field at fault, for a config error.
        var field: String?
        var file: String?
        var line: Int?
        var column: Int?
    }

    var event: JSONValue = .null
    var logs: [JSONValue] = []
    var error: Failure?

    init(error: Failure? = nil) {
        self.error = error
    }

    var json: JSONValue {
        var object = JSONObject()
        object["event"] = event
        object["dropped"] = .bool(error == nil && event == .null)
        object["logs"] = .array(logs)
        object["error"] = error.map(Self.json) ?? .null
        return .object(object)
    }

    private static func json(_ failure: Failure) -> JSONValue {
        var object = JSONObject()
        object["stage"] = .string(failure.stage)
        object["message"] = .string(failure.message)
        object["field"] = failure.field.map(JSONValue.string) ?? .null
        object["file"] = failure.file.map(JSONValue.string) ?? .null
        object["line"] = failure.line.map { JSONValue($0) } ?? .null
        object["column"] = failure.column.map { JSONValue($0) } ?? .null
        return .object(object)
    }
}

/// The plugin's own log lines of one test run (console and its errors, not Quill's loading notes), in order.
private final class CollectedLogs: PluginLogSink {
    private let entries = Mutex<[PluginLogEntry]>([])

    func append(_ entry: PluginLogEntry) {
        guard entry.source != .system else { return }
        entries.withLock { $0.append(entry) }
    }

    var lines: [JSONValue] {
        entries.withLock { $0 }.map { entry in
            ["type": .string(entry.type.rawValue), "source": .string(entry.source.rawValue), "message": .string(entry.message)]
        }
    }
}
