import GRDB
public import Storage

/// `meta.storage` and `meta.utils.cursor` in the embedded SQLite database.
public struct SQLitePluginStorageStore: PluginStorageStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func value(forKey key: String, pluginConfigID: Int) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM plugin_storage WHERE plugin_config_id = ? AND key = ?",
                arguments: [pluginConfigID, key])
        }
    }

    public func setValue(_ json: String, forKey key: String, pluginConfigID: Int) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO plugin_storage (plugin_config_id, key, value) VALUES (?, ?, ?)
                    ON CONFLICT (plugin_config_id, key) DO UPDATE SET value = excluded.value
                    """,
                arguments: [pluginConfigID, key, json])
        }
    }

    public func removeValue(forKey key: String, pluginConfigID: Int) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM plugin_storage WHERE plugin_config_id = ? AND key = ?", arguments: [pluginConfigID, key])
        }
    }

    public func initializeCursor(_ key: String, to initialValue: Int, pluginConfigID: Int) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO plugin_cursor (plugin_config_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [pluginConfigID, key, initialValue])
        }
    }

    public func incrementCursor(_ key: String, by amount: Int, pluginConfigID: Int) async throws -> Int {
        try await database.pool.write { db in
            try Int.fetchOne(
                db,
                sql: """
                    INSERT INTO plugin_cursor (plugin_config_id, key, value) VALUES (?, ?, ?)
                    ON CONFLICT (plugin_config_id, key) DO UPDATE SET value = value + excluded.value
                    RETURNING value
                    """,
                arguments: [pluginConfigID, key, amount])!
        }
    }
}
