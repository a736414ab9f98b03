import Foundation
import GRDB
public import Storage

/// Installed plugins and plugin configs in SQLite.
public struct SQLitePluginStore: PluginStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func install(_ plugin: NewPlugin) async throws -> Int {
        try await database.pool.write { db in
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO plugin (organization_id, plugin_type, name, description, url, config_schema, transpiled,
                                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    plugin.organizationID, plugin.pluginType, plugin.name, plugin.description, plugin.url,
                    plugin.configSchema, plugin.transpiledCode, now, now,
                ])
            return Int(db.lastInsertedRowID)
        }
    }

    public func createPluginConfig(
        teamID: Int, pluginID: Int, order: Int, config: [String: String], enabled: Bool
    ) async throws -> Int {
        let configJSON = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        return try await database.pool.write { db in
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO plugin_config (team_id, plugin_id, enabled, "order", config, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [teamID, pluginID, enabled, order, configJSON, now, now])
            return Int(db.lastInsertedRowID)
        }
    }

    public func enabledPluginConfigs() async throws -> [EnabledPluginConfig] {
        try await database.pool.read { db in
            var attachmentsByConfig: [Int: [String: PluginAttachment]] = [:]
            let attachments = try Row.fetchCursor(
                db,
                sql: """
                    SELECT a.plugin_config_id, a.key, a.content_type, a.file_name, a.contents
                    FROM plugin_attachment a JOIN plugin_config c ON c.id = a.plugin_config_id WHERE c.enabled
                    """)
            while let row = try attachments.next() {
                attachmentsByConfig[row["plugin_config_id"], default: [:]][row["key"]] = PluginAttachment(
                    contentType: row["content_type"], fileName: row["file_name"], contents: row["contents"])
            }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.team_id, c.plugin_id, p.name, c."order", c.config, p.transpiled
                    FROM plugin_config c JOIN plugin p ON p.id = c.plugin_id
                    WHERE c.enabled ORDER BY c.team_id, c."order", c.id
                    """
            ).map { row in
                let configText: String = row["config"]
                return EnabledPluginConfig(
                    id: row["id"], teamID: row["team_id"], pluginID: row["plugin_id"], pluginName: row["name"],
                    order: row["order"], config: try JSONDecoder().decode([String: String].self, from: Data(configText.utf8)),
                    attachments: attachmentsByConfig[row["id"]] ?? [:], transpiledCode: row["transpiled"])
            }
        }
    }

    public func disablePluginConfig(id: Int, errorMessage: String) async throws {
        let error = String(
            decoding: try JSONEncoder().encode(["message": errorMessage, "time": ISO8601DateFormatter().string(from: Date())]),
            as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE plugin_config SET enabled = 0, error = ?, updated_at = ? WHERE id = ?",
                arguments: [error, Date(), id])
        }
    }
}
