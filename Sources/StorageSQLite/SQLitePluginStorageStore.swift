import GRDB
public import Storage

/// `meta.storage` and `meta.utils.cursor` in the embedded SQLite database.
public struct SQLitePluginStorageStore: PluginStorageStore {
    private let database: SQLiteDatabase
    private let limits: PluginStorageLimits

    public init(database: SQLiteDatabase, limits: PluginStorageLimits = PluginStorageLimits()) {
        self.database = database
        self.limits = limits
    }

    public func value(forKey key: String, pluginConfigID: Int) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM plugin_storage WHERE plugin_config_id = ? AND key = ?",
                arguments: [pluginConfigID, key])
        }
    }

    public func setValue(_ json: String, forKey key: String, pluginConfigID: Int) async throws {
        try limits.check(key: key, json: json)
        try await database.pool.write { [limits] db in
            try db.execute(
                sql: "UPDATE plugin_storage SET value = ? WHERE plugin_config_id = ? AND key = ?",
                arguments: [json, pluginConfigID, key])
            guard db.changesCount == 0 else { return }
            // Only a new key is counted, on the primary key's index.
            guard try Self.count(in: "plugin_storage", pluginConfigID: pluginConfigID, db) < limits.maximumKeysPerConfig else {
                throw limits.tooManyKeys(key)
            }
            try db.execute(
                sql: "INSERT INTO plugin_storage (plugin_config_id, key, value) VALUES (?, ?, ?)",
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
        try limits.check(key: key)
        try await database.pool.write { [limits] db in
            guard try !Self.cursorExists(key, pluginConfigID: pluginConfigID, db) else { return }
            guard try Self.count(in: "plugin_cursor", pluginConfigID: pluginConfigID, db) < limits.maximumKeysPerConfig else {
                throw limits.tooManyKeys(key, kind: "cursors")
            }
            try db.execute(
                sql: "INSERT INTO plugin_cursor (plugin_config_id, key, value) VALUES (?, ?, ?)",
                arguments: [pluginConfigID, key, initialValue])
        }
    }

    public func incrementCursor(_ key: String, by amount: Int, pluginConfigID: Int) async throws -> Int {
        try limits.check(key: key)
        return try await database.pool.write { [limits] db in
            if try !Self.cursorExists(key, pluginConfigID: pluginConfigID, db),
                try Self.count(in: "plugin_cursor", pluginConfigID: pluginConfigID, db) >= limits.maximumKeysPerConfig
            {
                throw limits.tooManyKeys(key, kind: "cursors")
            }
            return try Int.fetchOne(
                db,
                sql: """
                    INSERT INTO plugin_cursor (plugin_config_id, key, value) VALUES (?, ?, ?)
                    ON CONFLICT (plugin_config_id, key) DO UPDATE SET value = value + excluded.value
                    RETURNING value
                    """,
                arguments: [pluginConfigID, key, amount])!
        }
    }

    private static func count(in table: String, pluginConfigID: Int, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE plugin_config_id = ?", arguments: [pluginConfigID]) ?? 0
    }

    private static func cursorExists(_ key: String, pluginConfigID: Int, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM plugin_cursor WHERE plugin_config_id = ? AND key = ?)",
            arguments: [pluginConfigID, key]) ?? false
    }
}
