public import Foundation
public import GeoIP
import JavaScriptEngine
import OrderedJSON
public import Storage

/// The services a plugin VM reaches through `meta` and `console`.
public struct PluginHostServices: Sendable {
    public var cache: any PluginCacheStore
    public var storage: any PluginStorageStore
    public var logs: any PluginLogSink
    /// Bounds on console output; the host cuts long lines itself, before they are copied out of
    /// JavaScript (the rate is the log sink's, ``PluginConsoleLimiter``).
    public var logLimits: PluginLogLimits
    /// Where `fetch` may go (`QUILL_FETCH_ALLOW`); by default only to public addresses.
    public var fetchPolicy: FetchPolicy
    /// The database behind `meta.geoip.locate` (`QUILL_GEOIP_DATABASE`); `nil` makes it reject.
    public var geoip: GeoIPDatabase?
    /// Where `meta.jobs` puts jobs; `nil` (as in `quill plugin run`) makes them reject.
    public var jobs: (any PluginJobQueue)?
    /// Where `posthog.capture` sends events; `nil` (as in `quill plugin run`) makes it reject.
    public var capture: (any PluginEventCapture)?
    /// `posthog.api`'s default server and keys; `nil` (as in `quill plugin run`) makes calls without
    /// an explicit `host` and keys reject.
    public var api: (any PluginAPIAccess)?
    /// Sees `fetch` and `posthog.api` requests before the network does (`quill plugin run`'s mock and
    /// transcript); `nil` in the server.
    public var interceptor: (any PluginRequestInterceptor)?
    /// Where `@google-cloud/storage` sends every request, unauthenticated, instead of Google (`http://host:port` or
    /// `host:port`): the server's `STORAGE_EMULATOR_HOST`, as Google's own clients read it. Plugins never see the
    /// process's environment itself.
    public var storageEmulatorHost: String?

    /// The variable ``storageEmulatorHost`` comes from by default.
    public static let storageEmulatorHostVariable = "STORAGE_EMULATOR_HOST"

    public init(
        cache: any PluginCacheStore, storage: any PluginStorageStore, logs: any PluginLogSink,
        logLimits: PluginLogLimits = PluginLogLimits(), fetchPolicy: FetchPolicy = FetchPolicy(), geoip: GeoIPDatabase? = nil, jobs: (any PluginJobQueue)? = nil,
        capture: (any PluginEventCapture)? = nil, api: (any PluginAPIAccess)? = nil,
        interceptor: (any PluginRequestInterceptor)? = nil,
        storageEmulatorHost: String? = ProcessInfo.processInfo.environment[storageEmulatorHostVariable]
    ) {
        self.interceptor = interceptor
        self.storageEmulatorHost = storageEmulatorHost
        self.cache = cache
        self.storage = storage
        self.logs = logs
        self.logLimits = logLimits
        self.fetchPolicy = fetchPolicy
        self.geoip = geoip
        self.jobs = jobs
        self.capture = capture
        self.api = api
    }
}

/// What `posthog.api.get/post/put/patch/delete` use when a plugin gives no `host` or keys: this
/// Quill server and keys acting for the plugin's project.
public protocol PluginAPIAccess: Sendable {
    /// The server's own base URL (`http://127.0.0.1:8000`) once it listens. `fetch` may reach it
    /// although it is a loopback or private address: it is Quill itself.
    var serverURL: URL? { get }
    /// The project's API token and a personal API key of its organization for its plugins.
    func credentials(teamID: Int) async throws -> (projectAPIKey: String, personalAPIKey: String)
}

/// Where `posthog.capture(event, properties)` sends events: back into the project's own pipeline.
public protocol PluginEventCapture: Sendable {
    /// - Parameters:
    ///   - properties: The properties as JSON (an object).
    func capture(pluginConfigID: Int, teamID: Int, pluginID: Int, event: String, properties: [UInt8]) async throws
}

/// The property that marks an event a plugin captured with the config that captured it: that
/// config never gets the event back, so it can't feed itself.
public let pluginCaptureOriginProperty = "$plugin_capture_origin"

/// When a job should run.
public enum JobTime: Sendable, Equatable {
    /// After this many milliseconds from now, on the queue's own clock.
    case after(milliseconds: Double)
    /// At this moment.
    case at(Date)
}

/// Where `meta.jobs.NAME(payload).runNow()/runIn()/runAt()` puts jobs: the server's durable queue.
public protocol PluginJobQueue: Sendable {
    func enqueueJob(pluginConfigID: Int, teamID: Int, type: String, payload: [UInt8], time: JobTime) async throws
}

/// The Swift functions the prelude builds `console`, `cache`, `storage` and `utils` on.
///
/// Each function checks its arguments itself: plugin code can reach them only through the
/// prelude, but nothing in the host trusts what JavaScript passes.
struct HostPrimitives {
    let definition: PluginConfigDefinition
    let instanceID: UUID
    let services: PluginHostServices
    /// The VM's `pg` connections, closed with the VM.
    let pgConnections: PgConnections
    /// Cache and storage operations run in the order the plugin issued them.
    let operations = OperationSequence()

    func install(in context: ScriptContext) throws(ScriptError) -> ScriptValue {
        let host = context.object()
        try Self.installModules(
            on: host, in: context, fetchPolicy: services.fetchPolicy, server: services.api, pgConnections: pgConnections,
            storageEmulatorHost: services.storageEmulatorHost, interceptor: services.interceptor)
        let (logs, logLimits) = (services.logs, services.logLimits)
        let (teamID, pluginID, configID, instanceID) = (definition.teamID, definition.pluginID, definition.id, instanceID)
        try host.set("logLineLength", context.number(Double(logLimits.maximumLineLength)))
        try host.set(
            "log",
            context.function { arguments, _ in
                let type = PluginLogEntry.Level(rawValue: try arguments.string(0)) ?? .log
                logs.append(
                    PluginLogEntry(
                        teamID: teamID, pluginID: pluginID, pluginConfigID: configID,
                        source: .console, type: type, message: try arguments.line(cutBy: logLimits), instanceID: instanceID))
                return nil
            })

        // Cache keys are namespaced per plugin and team, as PostHog's Redis keys are.
        let cache = services.cache
        let namespace = "@plugin/\(pluginID)/\(teamID)/"
        func cacheKey(_ arguments: [ScriptValue]) throws -> PluginCacheKey {
            PluginCacheKey(namespace: namespace, name: try arguments.string(0))
        }
        try host.set("cacheGet", asyncFunction(in: context) { arguments in
            let key = try cacheKey(arguments)
            return { try await cache.get(key) }
        } convert: { value, context in value.map(context.string) ?? context.null })
        try host.set("cacheSet", asyncFunction(in: context) { arguments in
            let (key, value, ttl) = (try cacheKey(arguments), try arguments.string(1), try arguments.number(2))
            return { try await cache.set(key, to: value, ttl: ttl >= 0 ? .cacheTTL(seconds: ttl) : nil) }
        } convert: { _, context in context.undefined })
        try host.set("cacheIncr", asyncFunction(in: context) { arguments in
            let key = try cacheKey(arguments)
            return { try await cache.increment(key) }
        } convert: { value, context in context.number(Double(value)) })
        try host.set("cacheExpire", asyncFunction(in: context) { arguments in
            let (key, ttl) = (try cacheKey(arguments), try arguments.number(1))
            return { try await cache.expire(key, after: .cacheTTL(seconds: ttl)) }
        } convert: { value, context in context.boolean(value) })
        try host.set("cacheLpush", asyncFunction(in: context) { arguments in
            let (key, values) = (try cacheKey(arguments), try arguments.strings(1))
            return { try await cache.pushFront(key, values) }
        } convert: { value, context in context.number(Double(value)) })
        try host.set("cacheLrange", asyncFunction(in: context) { arguments in
            let (key, start, stop) = (try cacheKey(arguments), try arguments.integer(1), try arguments.integer(2))
            return { try await cache.range(key, from: start, through: stop) }
        } convert: { values, context in try context.array(values.map(context.string)) })
        try host.set("cacheLlen", asyncFunction(in: context) { arguments in
            let key = try cacheKey(arguments)
            return { try await cache.length(key) }
        } convert: { value, context in context.number(Double(value)) })
        try host.set("cacheLrem", asyncFunction(in: context) { arguments in
            let (key, count, value) = (try cacheKey(arguments), try arguments.integer(1), try arguments.string(2))
            return { try await cache.remove(key, count: count, value: value) }
        } convert: { value, context in context.number(Double(value)) })
        try host.set("cacheLpop", asyncFunction(in: context) { arguments in
            let (key, count) = (try cacheKey(arguments), try arguments.integer(1))
            return { try await cache.popFront(key, count: count) }
        } convert: { values, context in try context.array(values.map(context.string)) })

        let storage = services.storage
        let capture = services.capture
        try host.set("capture", asyncFunction(in: context) { arguments in
            let (event, properties) = (try arguments.string(0), Array(try arguments.string(1).utf8))
            return {
                guard let capture else {
                    throw HostFunctionError(message: "posthog.capture needs Quill's server: there is no pipeline here (quill plugin run)")
                }
                try await capture.capture(
                    pluginConfigID: configID, teamID: teamID, pluginID: pluginID, event: event, properties: properties)
            }
        } convert: { _, context in context.undefined })

        let api = services.api
        try host.set("apiDefaults", asyncFunction(in: context) { _ in
            return {
                guard let api, let serverURL = api.serverURL else {
                    throw HostFunctionError(
                        message: "posthog.api needs Quill's server: pass host, projectApiKey and personalApiKey here")
                }
                let keys = try await api.credentials(teamID: teamID)
                return (serverURL.absoluteString, keys.projectAPIKey, keys.personalAPIKey)
            }
        } convert: { defaults, context in
            let object = context.object()
            try object.set("host", context.string(defaults.0))
            try object.set("projectApiKey", context.string(defaults.1))
            try object.set("personalApiKey", context.string(defaults.2))
            return object
        })
        try host.set("teamID", context.number(Double(teamID)))
        if let interceptor = services.interceptor {
            // posthog.api answered by the interceptor, as the plugin called it: no keys, no network.
            try host.set("apiCall", asyncFunction(in: context) { arguments in
                let (method, path, options) = (try arguments.string(0), try arguments.string(1), Array(try arguments.string(2).utf8))
                return { await interceptor.api(method: method, path: path, options: options) }
            } convert: { response, context in
                let object = context.object()
                try object.set("status", context.number(Double(response.status)))
                try object.set(
                    "headers",
                    context.array(
                        response.headers.map { header throws(ScriptError) in
                            try context.array([context.string(header.name), context.string(header.value)])
                        }))
                try object.set("body", context.string(String(decoding: response.body, as: UTF8.self)))
                return object
            })
        }

        let jobs = services.jobs
        try host.set("enqueueJob", asyncFunction(in: context) { arguments in
            let (type, payload, kind, milliseconds) =
                (try arguments.string(0), Array(try arguments.string(1).utf8), try arguments.string(2), try arguments.number(3))
            let time: JobTime =
                kind == "at" ? .at(Date(timeIntervalSince1970: milliseconds / 1000)) : .after(milliseconds: max(0, milliseconds))
            return {
                guard let jobs else {
                    throw HostFunctionError(message: "meta.jobs needs Quill's server: there is no job queue here (quill plugin run)")
                }
                try await jobs.enqueueJob(pluginConfigID: configID, teamID: teamID, type: type, payload: payload, time: time)
            }
        } convert: { _, context in context.undefined })

        try host.set("storageGet", asyncFunction(in: context) { arguments in
            let key = try arguments.string(0)
            return { try await storage.value(forKey: key, pluginConfigID: configID) }
        } convert: { value, context in value.map(context.string) ?? context.null })
        try host.set("storageSet", asyncFunction(in: context) { arguments in
            let (key, json) = (try arguments.string(0), try arguments.string(1))
            return { try await storage.setValue(json, forKey: key, pluginConfigID: configID) }
        } convert: { _, context in context.undefined })
        try host.set("storageDel", asyncFunction(in: context) { arguments in
            let key = try arguments.string(0)
            return { try await storage.removeValue(forKey: key, pluginConfigID: configID) }
        } convert: { _, context in context.undefined })
        try host.set("cursorInit", asyncFunction(in: context) { arguments in
            let (key, initial) = (try arguments.string(0), try arguments.integer(1))
            return { try await storage.initializeCursor(key, to: initial, pluginConfigID: configID) }
        } convert: { _, context in context.undefined })
        try host.set("cursorIncrement", asyncFunction(in: context) { arguments in
            let (key, amount) = (try arguments.string(0), try arguments.integer(1))
            return { try await storage.incrementCursor(key, by: amount, pluginConfigID: configID) }
        } convert: { value, context in context.number(Double(value)) })

        // As PostHog's locate: null for an address it can't place (or a failed lookup), thrown only when geoip is off.
        let geoip = services.geoip
        try host.set(
            "geoipLocate",
            context.function { arguments, this in
                guard let geoip else {
                    throw HostFunctionError(
                        message: "meta.geoip.locate() is not available: geoip is not configured (set QUILL_GEOIP_DATABASE)")
                }
                let ip = try arguments.string(0)
                return try this.context.promise(for: { try? geoip.city(for: ip)?.serialized() }) { json, context in
                    guard let json else { return context.null }
                    return try context.parseJSON(json)
                }
            })
        return host
    }

    /// `loadModule`, `moduleRefusal`, `moduleGlobals` and `native` on `host`: what `require` of the built-in modules is
    /// made of, in the prelude and in `quill plugin test`'s environment.
    static func installModules(
        on host: ScriptValue, in context: ScriptContext, fetchPolicy: FetchPolicy, server: (any PluginAPIAccess)?,
        pgConnections: PgConnections, storageEmulatorHost: String?, interceptor: (any PluginRequestInterceptor)? = nil
    ) throws(ScriptError) {
        try host.set(
            "loadModule",
            context.function { arguments, this in
                guard let name = try? arguments.string(0), let module = BuiltinModules.all[name] else { return nil }
                return try this.context.evaluate("(\(module.source))", sourceURL: "quill:modules/\(name).js")
            })
        try host.set(
            "moduleRefusal",
            context.function { arguments, this in this.context.string(UnprovidedModules.refusal(for: try arguments.string(0))) })
        try host.set(
            "moduleGlobals",
            context.array(
                BuiltinModules.globals.map { entry throws(ScriptError) in
                    try context.array([
                        context.string(entry.global), context.string(entry.module),
                        entry.export.map(context.string) ?? context.null,
                    ])
                }))
        let native = context.object()
        try NativeBindings.install(on: native, in: context)
        try FetchBindings.install(on: native, in: context, policy: fetchPolicy, server: server, interceptor: interceptor)
        try PgBindings.install(on: native, in: context, policy: fetchPolicy, connections: pgConnections)
        try native.set("storageEmulatorHost", storageEmulatorHost.map(context.string) ?? context.null)
        try host.set("native", native)
    }

    /// A host function that reads its arguments on the script thread, runs the returned operation
    /// off it, and hands JavaScript a promise of the converted result.
    private func asyncFunction<Output: Sendable>(
        in context: ScriptContext,
        _ prepare: @escaping ([ScriptValue]) throws -> @Sendable () async throws -> Output,
        convert: @escaping (Output, ScriptContext) throws -> ScriptValue
    ) -> ScriptValue {
        let sequence = operations
        return context.function { arguments, this in
            let operation = try prepare(arguments)
            let ticket = sequence.ticket()
            do {
                return try this.context.promise(for: { try await sequence.run(ticket, operation) }, convert: convert)
            } catch {
                // The ticket must still take its turn, or every later operation would wait forever.
                Task { try? await sequence.run(ticket) {} }
                throw error
            }
        }
    }
}

extension Duration {
    /// A plugin's TTL in seconds, at most a thousand years: no finite number can overflow it.
    fileprivate static func cacheTTL(seconds: Double) -> Duration {
        .milliseconds(Int64(min(seconds, 1000 * 365 * 86_400) * 1000))
    }
}

extension [ScriptValue] {
    fileprivate func string(_ index: Int) throws -> String {
        guard index < count, !self[index].isNullish else {
            throw HostFunctionError(name: "TypeError", message: "argument \(index + 1) is missing")
        }
        return try self[index].toString()
    }

    /// `log`'s line (argument 2), which the prelude cut to the longest line, with the cut marker for its
    /// whole length (argument 3).
    fileprivate func line(cutBy limits: PluginLogLimits) throws -> String {
        let length = count > 2 && self[2].isNumber ? Int(exactly: try self[2].toNumber()) ?? 0 : 0
        return limits.cut(try string(1), length: length)
    }

    fileprivate func number(_ index: Int) throws -> Double {
        guard index < count else { throw HostFunctionError(name: "TypeError", message: "argument \(index + 1) is missing") }
        let value = try self[index].toNumber()
        guard value.isFinite else {
            throw HostFunctionError(name: "TypeError", message: "argument \(index + 1) must be a finite number")
        }
        return value
    }

    fileprivate func integer(_ index: Int) throws -> Int {
        let value = try number(index)
        guard let integer = Int(exactly: value.rounded(.towardZero)) else {
            throw HostFunctionError(name: "RangeError", message: "argument \(index + 1) is out of range")
        }
        return integer
    }

    fileprivate func strings(_ index: Int) throws -> [String] {
        guard index < count, self[index].isArray else {
            throw HostFunctionError(name: "TypeError", message: "argument \(index + 1) must be an array")
        }
        return try self[index].arrayElements().map { try $0.toString() }
    }
}
