import EventIngestion
import Foundation
import JavaScriptEngine
import Storage

/// One plugin config's JavaScript context with its discovered functions and `meta` object.
///
/// A VM lives on its worker's script thread and is only used from the worker. A config may have a VM
/// on each script thread; they share the config's state through the runtime's registry.
final class PluginVM {
    let definition: PluginConfigDefinition
    /// Which load of the config this VM runs: a reload makes a new generation and retires the old VMs.
    let generation: Int
    /// The load's instance ID, as PostHog's log lines name it; shared by the VMs of one generation.
    let instanceID: UUID
    let context: ScriptContext
    let capabilities: PluginCapabilities
    /// Whether `setupPlugin` has run and returned on this VM.
    var isSetUp = false
    /// When the VM last ran a call, for retiring idle VMs.
    private(set) var lastUsed = ContinuousClock.now
    /// The config's statistics on this VM's thread, kept by the worker across reloads.
    let statistics: PluginStatisticsRecord
    /// The metric kinds the plugin exports (`sum`, `max`, `min`), by name.
    let metricKinds: [String: String]

    private let meta: ScriptValue
    private let methods: [PluginMethod: ScriptValue]
    /// `processEvent` as the chain calls it (the prelude's `makeChainStep`), when the plugin has one.
    let chainStep: ChainStep?
    private let jobs: [String: ScriptValue]
    private let metricValues: ScriptValue
    private let illegalOperationError: ScriptValue
    /// The prelude's `eventShapes`: the events `onEvent`, `exportEvents` and `composeWebhook` get, and webhooks.
    private let eventShapes: ScriptValue
    private let timeLimit: Duration
    private let logs: any PluginLogSink
    /// Records the config's last error where every VM of it can see it.
    private let onError: (PluginErrorRecord) -> Void
    /// The fresh memory the VM's calls brought in since it last had none running.
    private let memory: ScriptMemoryAccount?
    private var callsInProgress = 0
    /// The plugin's `pg` connections: none outlives the VM, however it goes (torn down, discarded, failed setup).
    private let pgConnections = PgConnections()

    /// Evaluates the prelude and the plugin's code and discovers its exports.
    ///
    /// - Parameter memoryLimit: The most fresh memory the VM's calls in progress may bring in together.
    /// - Throws: ``ScriptError`` when the code doesn't evaluate (a syntax error, a top-level throw,
    ///   an unsupported metric type, a stop at a limit).
    init(
        definition: PluginConfigDefinition, generation: Int, instanceID: UUID, group: ScriptContextGroup,
        services: PluginHostServices, timeLimit: Duration, memoryLimit: Int?, maximumEventSize: Int,
        statistics: PluginStatisticsRecord, onError: @escaping (PluginErrorRecord) -> Void
    ) throws(ScriptError) {
        self.definition = definition
        self.generation = generation
        self.instanceID = instanceID
        self.statistics = statistics
        self.timeLimit = timeLimit
        self.logs = services.logs
        self.onError = onError
        memory = memoryLimit.map(ScriptMemoryAccount.init)
        let context = ScriptContext(group: group, name: "plugin config \(definition.id): \(definition.pluginName)")
        context.memoryAccount = memory
        self.context = context

        let install = try context.evaluate(Prelude.source, sourceURL: "quill:prelude.js")
        let host = try HostPrimitives(
            definition: definition, instanceID: instanceID, services: services, pgConnections: pgConnections
        ).install(in: context)
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
        let metricSpec = try exports.get("metrics")
        metricKinds = try Dictionary(
            uniqueKeysWithValues: Self.keys(of: metricSpec, in: context).map { name throws(ScriptError) in
                (name, try metricSpec.get(name).toString())
            })
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
                metricSpec,
                metricValues,
                try context.array(jobNames.map(context.string)),
            ])
        if let processEvent = methods[.processEvent] {
            let milliseconds = Timestamp.validMilliseconds
            let made = try handles.callMethod(
                "makeChainStep",
                [
                    processEvent, meta, context.number(Double(maximumEventSize)),
                    context.number(Double(milliseconds.lowerBound)), context.number(Double(milliseconds.upperBound)),
                ])
            chainStep = ChainStep(step: try made.get("step"), copyEvent: try made.get("copyEvent"), parse: try made.get("parse"))
        } else {
            chainStep = nil
        }
        illegalOperationError = try handles.get("IllegalOperationError")
        eventShapes = try handles.get("eventShapes")
        context.recognizeErrors(of: try handles.get("RetryError"), as: Self.retryErrorClass)
    }

    deinit {
        pgConnections.closeAll()
    }

    func has(_ method: PluginMethod) -> Bool { methods[method] != nil }

    /// ``ScriptError/errorClass`` of an error thrown as a `RetryError` (or a subclass): the call asks to be retried.
    static let retryErrorClass = "RetryError"

    /// Calls `method(...arguments, meta)` and waits for its promise, within the time limit.
    func call(_ method: PluginMethod, _ arguments: [ScriptValue] = []) async throws(ScriptError) -> ScriptValue {
        guard let function = methods[method] else {
            throw Self.notExported(method)
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

    /// A new copy of a processed event (JSON) as `method` gets it: a `PostHogEvent` for `composeWebhook`, else a
    /// `ProcessedPluginEvent` (plugin-run.md, step 4).
    func shapedEvent(_ json: [UInt8], for method: PluginMethod) throws(ScriptError) -> ScriptValue {
        try eventShapes.callMethod(method == .composeWebhook ? "postHogEvent" : "processedEvent", [context.parseJSON(json)])
    }

    /// Calls `composeWebhook` on the event and returns its webhook as a request (`{url, method, headers, body}`),
    /// or `nil` when it returned none.
    func composeWebhook(_ json: [UInt8]) async throws(ScriptError) -> ScriptValue? {
        let webhook = try await call(.composeWebhook, [shapedEvent(json, for: .composeWebhook)])
        let request = try eventShapes.callMethod("webhookRequest", [webhook])
        return request.isNull ? nil : request
    }

    /// A webhook request from ``composeWebhook(_:)`` as Swift sees it.
    func httpRequest(_ request: ScriptValue) throws(ScriptError) -> PluginHTTPRequest {
        let headers = try request.get("headers").arrayElements().map { pair throws(ScriptError) in
            PluginHTTPHeader(name: try pair.get(0).toString(), value: try pair.get(1).toString())
        }
        let body = try request.get("body")
        return PluginHTTPRequest(
            method: try request.get("method").toString().uppercased(), url: try request.get("url").toString(), headers: headers,
            body: body.isNullish ? nil : Array(try body.toString().utf8))
    }

    /// Sends a webhook request through the plugin's own `fetch` (so a ``PluginRequestInterceptor`` sees it)
    /// and returns the answer's status.
    func sendThroughFetch(_ request: ScriptValue) async throws(ScriptError) -> Int {
        let status = try await eventShapes.callMethod("sendWebhook", [request]).settled(
            timeLimit: timeLimit, description: "composeWebhook's webhook")
        return Int(try status.toNumber())
    }

    /// Marks the VM busy with a lane of the chain: it isn't retired meanwhile, and its memory account
    /// starts afresh when nothing else of it runs.
    func beginChainLane() {
        lastUsed = .now
        if callsInProgress == 0 { memory?.reset() }
        callsInProgress += 1
    }

    func endChainLane() {
        callsInProgress -= 1
    }

    /// Names the plugin and function in a time-out's or memory stop's message, as ``measured(_:_:)`` does.
    func describedStop(_ error: ScriptError, in name: String) -> ScriptError {
        var described = error
        described.message = "\(error.message) in \(name) of plugin '\(definition.pluginName)' (config \(definition.id))"
        return described
    }

    private static func notExported(_ method: PluginMethod) -> ScriptError {
        ScriptError(name: "TypeError", message: "plugin does not export \(method.rawValue)")
    }

    /// Calls `function(...arguments, meta)` and waits for its promise within the time limit.
    private func invoke(
        _ function: ScriptValue, _ arguments: [ScriptValue], counted name: String
    ) async throws(ScriptError) -> ScriptValue {
        try await measured(name) { call throws(ScriptError) in
            let started = context.startingCall { () throws(ScriptError) in try function.call(arguments + [meta]) }
            call = started.call
            return try await started.result.get().settled(timeLimit: timeLimit, description: "Script execution")
        }
    }

    /// Runs a call of the plugin (`body` sets its number from ``ScriptContext/startingCall(_:)``), counts it
    /// under `name` in the statistics, gives it up when it times out or goes over memory, and names the
    /// plugin and function in that error's message.
    private func measured(
        _ name: String, _ body: (inout Int) async throws(ScriptError) -> ScriptValue
    ) async throws(ScriptError) -> ScriptValue {
        let started = ContinuousClock.now
        lastUsed = started
        if callsInProgress == 0 { memory?.reset() }
        callsInProgress += 1
        var failure: ScriptError.Kind?
        var call = 0
        defer {
            callsInProgress -= 1
            let seconds = (ContinuousClock.now - started).secondsValue
            statistics.update {
                $0.functions[name, default: FunctionStatistics()].record(
                    seconds: seconds, timedOut: failure == .timeout, failed: failure != nil)
            }
        }
        do throws(ScriptError) {
            if let memory, memory.isExceeded { throw ScriptError.memoryLimit(memory.limit) }
            return try await body(&call)
        } catch {
            failure = error.kind
            guard error.kind == .timeout || error.kind == .memoryLimit else { throw error }
            // Whatever of the call still runs in the background stops at its next await of the host.
            context.abandon(call: call)
            throw describedStop(error, in: name)
        }
    }

    /// Whether no call of the VM is in progress.
    var isIdle: Bool { callsInProgress == 0 }

    /// Whether the VM's calls brought in more memory than its limit: it must be thrown away.
    var isOverMemoryLimit: Bool { memory?.isExceeded ?? false }

    /// The values of the plugin's `metrics` on this VM, by name.
    func metricValuesByName() -> [String: Double] {
        var values: [String: Double] = [:]
        for name in metricKinds.keys {
            if let value = try? metricValues.get(name), value.isNumber, let number = try? value.toNumber() { values[name] = number }
        }
        return values
    }

    /// An `IllegalOperationError`, as the plugin's own code would see it.
    func illegalOperation(_ message: String) -> ScriptError {
        ScriptError(name: (try? illegalOperationError.get("name").toString()) ?? "IllegalOperationError", message: message)
    }

    /// Records `error` as the config's last error and logs it, as PostHog's `processError` does.
    func recordError(_ error: ScriptError, event: [UInt8]? = nil) {
        onError(
            PluginErrorRecord(
                name: error.name, message: error.message, stack: error.stack, time: Date(),
                event: event.map { String(decoding: $0, as: UTF8.self) }))
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

/// The prelude's chain step of one VM (`JavaScript/Prelude/prelude.js`, `makeChainStep`), made once.
struct ChainStep {
    /// `step(event, teamId, keepCopy)`: the plugin's `processEvent`, its result checked (and copied).
    let step: ScriptValue
    /// A copy of an event as JSON would make it, in this VM's realm.
    let copyEvent: ScriptValue
    /// `JSON.parse` of this VM's realm, as it was before the plugin's code ran.
    let parse: ScriptValue
}
