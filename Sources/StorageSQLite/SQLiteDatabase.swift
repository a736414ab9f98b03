import Foundation
public import GRDB

/// Quill's embedded database: one SQLite file in WAL mode, migrated on open, and beside it a small
/// file of in-flight marks.
public final class SQLiteDatabase: Sendable {
    /// Readers and the one writer of the file.
    public let pool: DatabasePool
    /// Which logged events each team is processing right now. A file of its own, written without fsync:
    /// marking a batch must not wait behind the main file's fsync'd commits, and only has to outlive the
    /// process, not the machine.
    let inFlightMarks: DatabaseQueue

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // WAL's NORMAL sync is durable across process crashes; FULL also across power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)

        var marksConfiguration = Configuration()
        marksConfiguration.busyMode = .timeout(10)
        marksConfiguration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = OFF")
        }
        let marksPath = URL(fileURLWithPath: path).deletingPathExtension().path + "-in-flight.sqlite"
        inFlightMarks = try DatabaseQueue(path: marksPath, configuration: marksConfiguration)
        try inFlightMarks.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS in_flight (
                        team_id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, mark INTEGER NOT NULL)
                    """)
        }
    }

    /// Reads from the file, to tell that it is reachable; throws the reason when it isn't.
    public func check() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") }
    }

    /// Migrations are append-only: a shipped one is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: plugin storage") { db in
            try db.create(table: "plugin_storage") { table in
                table.column("plugin_config_id", .integer).notNull()
                table.column("key", .text).notNull()
                table.column("value", .text).notNull()
                table.primaryKey(["plugin_config_id", "key"])
            }
            try db.create(table: "plugin_cursor") { table in
                table.column("plugin_config_id", .integer).notNull()
                table.column("key", .text).notNull()
                table.column("value", .integer).notNull()
                table.primaryKey(["plugin_config_id", "key"])
            }
        }
        registerIngestionMigration(in: &migrator)
        registerManagementMigration(in: &migrator)
        registerWorkQueueMigration(in: &migrator)
        registerScheduleMigration(in: &migrator)
        registerPluginUsageMigration(in: &migrator)
        registerWorkQueueByConfigMigration(in: &migrator)
        registerPoisonEventMigration(in: &migrator)
        registerBacklogMigration(in: &migrator)
        registerSessionRecordingMigration(in: &migrator)
        registerHookMigration(in: &migrator)
        registerAlertMigration(in: &migrator)
        return migrator
    }
}
