public import Storage

/// Quill's embedded default: every store in one SQLite file.
public final class SQLiteBackend: StorageBackend {
    public let database: SQLiteDatabase
    public let projects: any ProjectStore
    public let ingestion: any IngestionStore
    public let plugins: any PluginStore
    public let pluginLogs: any PluginLogStore
    public let pluginStorage: any PluginStorageStore
    public let pluginUsage: any PluginUsageStore
    public let workQueue: any WorkQueueStore
    public let schedules: any ScheduleStore
    public let hooks: any HookStore
    public let alerts: any AlertStore
    public let location: String
    /// One process owns the file: nothing is leased, no change comes from elsewhere.
    public let isShared = false
    public let instanceID = "sqlite"

    /// Opens (creating if needed) the database file at `path` and runs pending migrations.
    public convenience init(path: String, limits: StoreLimits = StoreLimits()) throws {
        try self.init(database: SQLiteDatabase(path: path), location: path, limits: limits)
    }

    public init(database: SQLiteDatabase, location: String = "SQLite", limits: StoreLimits = StoreLimits()) {
        self.database = database
        self.location = location
        projects = SQLiteProjectStore(database: database)
        ingestion = SQLiteIngestionStore(database: database)
        plugins = SQLitePluginStore(database: database)
        pluginLogs = SQLitePluginLogStore(database: database, entriesPerConfig: limits.pluginLogEntriesPerConfig)
        pluginStorage = SQLitePluginStorageStore(database: database, limits: limits.pluginStorage)
        pluginUsage = SQLitePluginUsageStore(database: database)
        workQueue = SQLiteWorkQueueStore(database: database)
        schedules = SQLiteScheduleStore(database: database)
        hooks = SQLiteHookStore(database: database)
        alerts = SQLiteAlertStore(database: database)
    }

    public func check() async throws {
        try await database.check()
    }

    public func close() async {}
}
