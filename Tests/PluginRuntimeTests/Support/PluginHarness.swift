import Foundation
import Testing
import GeoIP
import Synchronization
import PluginRuntime
import Storage
import StorageSQLite

/// A plugin runtime with real parts: esbuild-compiled plugin code, the in-memory cache on a test
/// clock, SQLite storage in a temporary file, and logs kept for inspection.
final class PluginHarness: Sendable {
    let clock = TestClock()
    let logs = MemoryPluginLogStore()
    /// The console's rate and line bounds in front of `logs`, as the server has them.
    let consoleLimiter: PluginConsoleLimiter
    let runtime: PluginRuntime
    let databaseDirectory: URL
    let statusChanges = StatusChanges()

    init(
        timeLimit: Duration = .seconds(30), workerCount: Int = 1, fetchPolicy: FetchPolicy = FetchPolicy(),
        geoip: GeoIPDatabase? = nil, memoryLimit: Int? = 128 * 1_048_576,
        processEventBreaker: TimeOutBreakers.Settings = TimeOutBreakers.Settings(),
        logLimits: PluginLogLimits = PluginLogLimits(), cacheLimits: PluginCacheLimits = PluginCacheLimits(),
        storageLimits: PluginStorageLimits = PluginStorageLimits(), storageEmulatorHost: String? = nil
    ) throws {
        databaseDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("quill-test-\(UUID())")
        try FileManager.default.createDirectory(at: databaseDirectory, withIntermediateDirectories: true)
        let database = try SQLiteDatabase(path: databaseDirectory.appendingPathComponent("quill.sqlite").path)
        consoleLimiter = PluginConsoleLimiter(base: logs, limits: logLimits)
        let services = PluginHostServices(
            cache: MemoryPluginCacheStore(clock: clock, limits: cacheLimits),
            storage: SQLitePluginStorageStore(database: database, limits: storageLimits), logs: consoleLimiter,
            logLimits: logLimits, fetchPolicy: fetchPolicy, geoip: geoip, storageEmulatorHost: storageEmulatorHost)
        let changes = statusChanges
        var configuration = PluginRuntimeConfiguration(workerCount: workerCount, timeLimit: timeLimit, memoryLimit: memoryLimit)
        configuration.processEventBreaker = processEventBreaker
        runtime = PluginRuntime(configuration: configuration, services: services, clock: clock, onStatusChange: { changes.append($0) })
    }

    deinit {
        try? FileManager.default.removeItem(at: databaseDirectory)
    }

    /// Compiles `source` as a plugin's `index.js` (or `index.ts`) with the real compiler.
    static func compile(_ source: String, entry: String = "index.js") async throws -> CompiledPlugin {
        try await PluginCompiler(providedModules: PluginRuntime.providedModules)
            .compile(files: [entry: source, "plugin.json": #"{"name": "test"}"#], entry: entry)
    }

    /// Compiles and loads a plugin config for team 2.
    @discardableResult
    func load(
        _ source: String, id: Int = 39, teamID: Int = 2, pluginID: Int = 60, name: String = "test-plugin", order: Int = 0,
        config: [String: String] = [:], attachments: [String: PluginAttachment] = [:]
    ) async throws -> PluginLoadOutcome {
        let code = try await Self.compile(source)
        return await runtime.load(
            PluginConfigDefinition(
                id: id, teamID: teamID, pluginID: pluginID, pluginName: name, order: order, config: config,
                attachments: attachments, code: code))
    }

    /// Runs team 2's chain on `event` and returns the result with its event decoded.
    func process(_ event: [String: Any], teamID: Int = 2) async throws -> (event: [String: Any]?, result: ChainResult) {
        let bytes = try JSONSerialization.data(withJSONObject: event)
        let result = try await runtime.processEvent(Array(bytes), teamID: teamID)
        let decoded = try result.event.map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
        return (decoded, result)
    }

    /// The messages logged by config 39 (or `pluginConfigID`), optionally of one source.
    func messages(pluginConfigID: Int = 39, source: PluginLogEntry.Source? = nil) -> [String] {
        logs.entries(pluginConfigID: pluginConfigID).filter { source == nil || $0.source == source }.map(\.message)
    }
}

/// Status changes the runtime reported.
final class StatusChanges: Sendable {
    private let changes = Mutex<[PluginConfigStatusChange]>([])
    func append(_ change: PluginConfigStatusChange) { changes.withLock { $0.append(change) } }
    var all: [PluginConfigStatusChange] { changes.withLock { $0 } }
}

/// A sample event as capture hands it to the chain.
func sampleEvent(_ name: String = "$pageview", properties: [String: Any] = [:]) -> [String: Any] {
    [
        "event": name, "distinct_id": "007", "team_id": 2, "uuid": "0192b1f4-0000-7000-8000-000000000001",
        "properties": properties, "timestamp": "2026-11-21T12:00:00.000Z",
    ]
}

extension PluginHarness {
    /// Loads a plugin whose `processEvent` runs `body` as the inside of an async function — after `imports` at the
    /// top of the module and `setup` at the start of `processEvent` (which sees `event`) — on an event with
    /// `properties`, and returns what `body` returned. A throw in `body` comes back as a ``PluginBodyError``.
    func runInProcessEvent(
        _ body: String, imports: String = "", setup: String = "", properties: [String: Any] = [:]
    ) async throws -> [String: Any] {
        let outcome = try await load(
            """
            \(imports)
            export async function processEvent(event) {
            \(setup)
              try {
                event.properties.result = await (async () => {
            \(body)
                })()
              } catch (error) {
                event.properties.result = { error: `${error.name}: ${error.message}` }
              }
              return event
            }
            """)
        guard case .ready = outcome else { throw PluginBodyError(description: "the plugin did not load: \(outcome)") }
        let (event, _) = try await process(sampleEvent(properties: properties))
        let result = try #require((event?["properties"] as? [String: Any])?["result"] as? [String: Any])
        if let error = result["error"] as? String, result.count == 1 { throw PluginBodyError(description: error) }
        return result
    }
}

/// What a plugin body run by ``PluginHarness/runInProcessEvent(_:imports:setup:properties:)`` threw, or why it didn't load.
struct PluginBodyError: Error, CustomStringConvertible {
    var description: String
}
