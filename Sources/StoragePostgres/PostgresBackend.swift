import Foundation
public import Logging
public import Storage

/// Every store in one PostgreSQL database, shared by any number of Quill instances.
public final class PostgresBackend: StorageBackend {
    public let database: PostgresDatabase
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
    public let isShared = true
    public let instanceID: String

    /// Connects to `url` (`postgres://…`) and runs pending migrations.
    public init(url: String, limits: StoreLimits = StoreLimits(), logger: Logger) async throws {
        let instanceID = UUID().uuidString.lowercased()
        self.instanceID = instanceID
        let database = try await PostgresDatabase(url: url, instanceID: instanceID, logger: logger)
        self.database = database
        location = url.redactingPassword
        projects = PostgresProjectStore(database: database)
        ingestion = PostgresIngestionStore(database: database)
        plugins = PostgresPluginStore(database: database)
        pluginLogs = PostgresPluginLogStore(database: database, entriesPerConfig: limits.pluginLogEntriesPerConfig)
        pluginStorage = PostgresPluginStorageStore(database: database, limits: limits.pluginStorage)
        pluginUsage = PostgresPluginUsageStore(database: database)
        workQueue = PostgresWorkQueueStore(database: database)
        schedules = PostgresScheduleStore(database: database)
        hooks = PostgresHookStore(database: database)
        alerts = PostgresAlertStore(database: database)
    }

    public func check() async throws {
        try await database.check()
    }

    public func close() async {
        await database.close()
    }
}
