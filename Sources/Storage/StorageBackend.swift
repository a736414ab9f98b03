/// Everything Quill keeps, behind one seam. The server is given a backend and never names the database
/// behind it; only the code that builds the app chooses SQLite or PostgreSQL.
public protocol StorageBackend: Sendable {
    var projects: any ProjectStore { get }
    /// The ingestion log and stored events. Its `commit` is the one transaction that settles events with the
    /// work they cause, so it writes into the work queue too.
    var ingestion: any IngestionStore { get }
    var plugins: any PluginStore { get }
    var pluginLogs: any PluginLogStore { get }
    var pluginStorage: any PluginStorageStore { get }
    var pluginUsage: any PluginUsageStore { get }
    var workQueue: any WorkQueueStore { get }
    var schedules: any ScheduleStore { get }
    var hooks: any HookStore { get }
    var alerts: any AlertStore { get }
    /// Where the data lives, for messages to the operator (a file path, or a URL without its password).
    var location: String { get }
    /// Whether other instances may use the same data: then teams' logs are leased, and config changes are read back.
    var isShared: Bool { get }
    /// This instance's name in the shared data (leases, config changes).
    var instanceID: String { get }

    /// Reads from the database, to tell that it is reachable; throws the reason when it isn't.
    func check() async throws
    /// Lets go of connections and files; no store may be used after it.
    func close() async
}

/// Plugin log entries: `append` (from ``PluginLogSink``) never waits for the database, `flush` writes what
/// was appended.
public protocol PluginLogStore: PluginLogSink {
    /// Writes the appended entries; each config keeps only its newest entries, as many as configured.
    func flush() async throws
}

/// The bounds a backend's stores apply to what plugins write.
public struct StoreLimits: Sendable {
    public var pluginStorage: PluginStorageLimits
    /// `QUILL_PLUGIN_LOG_ENTRIES`: log entries kept per config.
    public var pluginLogEntriesPerConfig: Int

    public init(pluginStorage: PluginStorageLimits = PluginStorageLimits(), pluginLogEntriesPerConfig: Int = PluginLogLimits().entriesPerConfig) {
        self.pluginStorage = pluginStorage
        self.pluginLogEntriesPerConfig = pluginLogEntriesPerConfig
    }
}
