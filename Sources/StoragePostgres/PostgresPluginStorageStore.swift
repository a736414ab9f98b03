import Storage

/// `meta.storage` and `meta.utils.cursor` in PostgreSQL.
struct PostgresPluginStorageStore: PluginStorageStore {
    let database: PostgresDatabase
    let limits: PluginStorageLimits

    func value(forKey key: String, pluginConfigID: Int) async throws -> String? {
        try await database.value("SELECT value FROM plugin_storage WHERE plugin_config_id = ? AND key = ?", [pluginConfigID, key])
    }

    func setValue(_ json: String, forKey key: String, pluginConfigID: Int) async throws {
        try limits.check(key: key, json: json)
        let updated = try await database.rows(
            "UPDATE plugin_storage SET value = ? WHERE plugin_config_id = ? AND key = ? RETURNING key", [json, pluginConfigID, key])
        guard updated.isEmpty else { return }
        try await database.transaction { db in
            try await Self.lockKeys(of: pluginConfigID, in: db)
            // Only a new key is counted, on the primary key's index.
            guard try await Self.count(in: "plugin_storage", pluginConfigID: pluginConfigID, db) < limits.maximumKeysPerConfig else {
                throw limits.tooManyKeys(key)
            }
            try await db.execute(
                """
                INSERT INTO plugin_storage (plugin_config_id, key, value) VALUES (?, ?, ?)
                ON CONFLICT (plugin_config_id, key) DO UPDATE SET value = excluded.value
                """, [pluginConfigID, key, json])
        }
    }

    func removeValue(forKey key: String, pluginConfigID: Int) async throws {
        try await database.execute("DELETE FROM plugin_storage WHERE plugin_config_id = ? AND key = ?", [pluginConfigID, key])
    }

    func initializeCursor(_ key: String, to initialValue: Int, pluginConfigID: Int) async throws {
        try limits.check(key: key)
        try await database.transaction { db in
            try await Self.lockKeys(of: pluginConfigID, in: db)
            guard try await !Self.cursorExists(key, pluginConfigID: pluginConfigID, db) else { return }
            guard try await Self.count(in: "plugin_cursor", pluginConfigID: pluginConfigID, db) < limits.maximumKeysPerConfig else {
                throw limits.tooManyKeys(key, kind: "cursors")
            }
            try await db.execute(
                "INSERT INTO plugin_cursor (plugin_config_id, key, value) VALUES (?, ?, ?)", [pluginConfigID, key, initialValue])
        }
    }

    func incrementCursor(_ key: String, by amount: Int, pluginConfigID: Int) async throws -> Int {
        try limits.check(key: key)
        return try await database.transaction { db in
            if try await !Self.cursorExists(key, pluginConfigID: pluginConfigID, db) {
                try await Self.lockKeys(of: pluginConfigID, in: db)
                if try await Self.count(in: "plugin_cursor", pluginConfigID: pluginConfigID, db) >= limits.maximumKeysPerConfig {
                    throw limits.tooManyKeys(key, kind: "cursors")
                }
            }
            return try await db.value(
                """
                INSERT INTO plugin_cursor (plugin_config_id, key, value) VALUES (?, ?, ?)
                ON CONFLICT (plugin_config_id, key) DO UPDATE SET value = plugin_cursor.value + excluded.value
                RETURNING value
                """, [pluginConfigID, key, amount], as: Int.self)!
        }
    }

    /// New keys of one config are counted one instance at a time, so two can't both pass the bound.
    private static func lockKeys(of pluginConfigID: Int, in db: SQLTransaction) async throws {
        try await db.execute("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", [Int(7_101_970), pluginConfigID])
    }

    private static func count(in table: String, pluginConfigID: Int, _ db: SQLTransaction) async throws -> Int {
        try await db.value("SELECT COUNT(*) FROM \(table) WHERE plugin_config_id = ?", [pluginConfigID], as: Int.self) ?? 0
    }

    private static func cursorExists(_ key: String, pluginConfigID: Int, _ db: SQLTransaction) async throws -> Bool {
        try await db.value(
            "SELECT EXISTS (SELECT 1 FROM plugin_cursor WHERE plugin_config_id = ? AND key = ?)", [pluginConfigID, key], as: Bool.self)
            ?? false
    }
}
