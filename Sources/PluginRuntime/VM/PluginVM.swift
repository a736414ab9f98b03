import Foundation
import JavaScriptEngine
import Storage

/// One plugin config's JavaScript context with its discovered functions and `meta` object.
///
/// A VM lives on its worker's script thread and is only used from the worker.
final class PluginVM {
    enum State {
        /// `setupPlugin` has not finished yet.
        case settingUp
        /// `setupPlugin` asked to be retried; the VM waits for its next attempt.
        case retryingSetup
        case ready
        case disabled(reason: String)
    }

    let definition: PluginConfigDefinition
    let instanceID = UUID()
    let context: ScriptContext
    let capabilities: PluginCapabilities
    var state: State = .settingUp
    var lastError: PluginErrorRecord?
    /// The config's statistics, kept by the worker across reloads.
    let statistics: PluginStatisticsRecord
    /// The background task running `setupPlugin` retries, cancelled when the VM is unloaded.
    var setupRetries: Task<Void, Never>?

    private let meta: ScriptValue
    private let methods: [PluginMethod: ScriptValue]
    private let jobs: [String: ScriptValue]
    /// `exportEventsToIgnore`: event names kept out of the export buffer.
    let exportIgnoredEvents: Set<String>
    private let metricValues: ScriptValue
    private let illegalOperationError: ScriptValue
    private let timeLimit: Duration
    private let logs: any PluginLogSink

    /// Evaluates the prelude and the plugin's code and discovers its exports.
    ///
    /// - Throws: ``ScriptError`` when the code doesn't evaluate (a syntax error, a top-level throw,
    ///   an unsupported metric type).
    init(
        definition: PluginConfigDefinition, group: ScriptContextGroup, services: PluginHostServices, timeLimit: Duration,
        statistics: PluginStatisticsRecord
    ) throws(ScriptError) {
        self.definition = definition
        self.statistics = statistics
        self.timeLimit = timeLimit
        self.logs = services.logs
        exportIgnoredEvents = Set(
            (definition.config["exportEventsToIgnore"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty })
        let context = ScriptContext(group: group, name: "plugin config \(definition.id): \(definition.pluginName)")
        self.context = context

        let install = try context.evaluate(Prelude.source, sourceURL: "quill:prelude.js")
        let host = try HostPrimitives(definition: definition, instanceID: instanceID, services: services).install(in: context)
        let handles = try install.call([host])
        try context.evaluate(definition.code.code, sourceURL: "\(definition.pluginName)/index.js")

        let exports = try handles.callMethod("discover")
        let functions = try exports.get("methods")
        var methods: [PluginMethod: ScriptValue] = [:]
        for method in PluginMethod.allCases {
            let function = try functions.get(method.rawValue)
            if function.isFunction { methods[method] = function }
        }
        self.methods = methods
        let jobsObject = try exports.get("jobs")
        let jobNames = try Self.keys(of: jobsObject, in: context)
        var jobs: [String: ScriptValue] = [:]
        for name in jobNames { jobs[name] = try jobsObject.get(name) }
        self.jobs = jobs
        capabilities = PluginCapabilities(
            methods: PluginMethod.allCases.filter { methods[$0] != nil && !PluginMethod.scheduledTasks.contains($0) }
                .map(\.rawValue),
            scheduledTasks: PluginMethod.scheduledTasks.filter { methods[$0] != nil }.map(\.rawValue),
            jobs: jobNames
        )

        metricValues = context.object()
        meta = try handles.callMethod(
            "makeMeta",
            [
                try Self.config(definition.config, in: context),
                try Self.attachments(definition.attachments, in: context),
                try exports.get("metrics"),
                metricValues,
                try context.array(jobNames.map(context.string)),
            ])
        illegalOperationError = try handles.get("IllegalOperationError")
    }

    func has(_ method: PluginMethod) -> Bool { methods[method] != nil }

    var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    /// Whether the chain lists this config in `$plugins_deferred`.
    var hasDeferredWork: Bool { PluginMethod.deferred.contains { methods[$0] != nil } }

    /// Calls `method(...arguments, meta)` and waits for its promise, within the time limit.
    func call(_ method: PluginMethod, _ arguments: [ScriptValue] = []) async throws(ScriptError) -> ScriptValue {
        guard let function = methods[method] else {
            throw ScriptError(name: "TypeError", message: "plugin does not export \(method.rawValue)")
        }
        return try await invoke(function, arguments, counted: method.rawValue)
    }

    /// Calls the job `name` with `payload` (and `meta`) and waits for it, within the time limit.
    func callJob(_ name: String, payload: ScriptValue) async throws(ScriptError) -> ScriptValue {
        guard let job = jobs[name] else {
            throw ScriptError(name: "TypeError", message: "plugin has no job '\(name)'")
        }
        return try await invoke(job, [payload], counted: "jobs.\(name)")
    }

    /// Calls `function(...arguments, meta)`, waits for its promise within the time limit, counts the
    /// call under `name` in the statistics, and names the plugin and function in a time-out's message.
    private func invoke(
        _ function: ScriptValue, _ arguments: [ScriptValue], counted name: String
    ) async throws(ScriptError) -> ScriptValue {
        let started = ContinuousClock.now
        var failure: ScriptError.Kind?
        defer {
            statistics.value.functions[name, default: FunctionStatistics()].record(
                seconds: (ContinuousClock.now - started).secondsValue, timedOut: failure == .timeout, failed: failure != nil)
        }
        do {
            return try await function.call(arguments + [meta]).settled(timeLimit: timeLimit, description: "Script execution")
        } catch {
            failure = error.kind
            guard error.kind == .timeout else { throw error }
            var described = error
            described.message = "\(error.message) in \(name) of plugin '\(definition.pluginName)' (config \(definition.id))"
            throw described
        }
    }

    /// The values of the plugin's `metrics`, as JSON text.
    func metricsJSON() -> String {
        (try? metricValues.jsonString()) ?? "{}"
    }

    /// An `IllegalOperationError`, as the plugin's own code would see it.
    func illegalOperation(_ message: String) -> ScriptError {
        ScriptError(name: (try? illegalOperationError.get("name").toString()) ?? "IllegalOperationError", message: message)
    }

    /// Records `error` as the config's last error and logs it, as PostHog's `processError` does.
    func recordError(_ error: ScriptError, event: [UInt8]? = nil) {
        lastError = PluginErrorRecord(
            name: error.name, message: error.message, stack: error.stack, time: Date(),
            event: event.map { String(decoding: $0, as: UTF8.self) })
        log(.plugin, .error, error.description)
    }

    func log(_ source: PluginLogEntry.Source, _ type: PluginLogEntry.Level, _ message: String) {
        logs.append(
            PluginLogEntry(
                teamID: definition.teamID, pluginID: definition.pluginID, pluginConfigID: definition.id,
                source: source, type: type, message: message, instanceID: instanceID))
    }

    private static func keys(of object: ScriptValue, in context: ScriptContext) throws(ScriptError) -> [String] {
        try context.globalObject.get("Object").callMethod("keys", [object]).arrayElements().map { value throws(ScriptError) in
            try value.toString()
        }
    }

    private static func config(_ values: [String: String], in context: ScriptContext) throws(ScriptError) -> ScriptValue {
        let config = context.object()
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try config.set(key, context.string(value))
        }
        return config
    }

    /// `{key: {content_type, file_name, contents, text}}` for the prelude, `contents` a `Uint8Array`.
    private static func attachments(
        _ attachments: [String: PluginAttachment], in context: ScriptContext
    ) throws(ScriptError) -> ScriptValue {
        let described = context.object()
        for (key, attachment) in attachments.sorted(by: { $0.key < $1.key }) {
            let entry = context.object()
            try entry.set("content_type", context.string(attachment.contentType))
            try entry.set("file_name", context.string(attachment.fileName))
            try entry.set("contents", context.uint8Array(attachment.contents))
            let text = String(data: attachment.contents, encoding: .utf8)
            try entry.set("text", text.map(context.string) ?? context.null)
            try described.set(key, entry)
        }
        return described
    }
}
