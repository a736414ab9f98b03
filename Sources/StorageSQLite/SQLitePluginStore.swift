public import Foundation
import GRDB
public import Storage

/// Installed plugins, plugin configs, attachments and logs in SQLite.
public struct SQLitePluginStore: PluginStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    // MARK: Plugins

    public func install(_ contents: PluginContents, organizationID: Int) async throws -> Int {
        try await database.pool.write { db in
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO plugin (organization_id, plugin_type, name, description, url, tag, config_schema, public_jobs,
                                        capabilities, transpiled, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    organizationID, contents.pluginType, contents.name, contents.description, contents.url, contents.tag,
                    contents.configSchema, contents.publicJobs, contents.capabilities, contents.transpiledCode, now, now,
                ])
            let id = Int(db.lastInsertedRowID)
            try Self.replaceFiles(contents.files, pluginID: id, in: db)
            return id
        }
    }

    public func update(pluginID: Int, with contents: PluginContents) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE plugin SET plugin_type = ?, name = ?, description = ?, url = ?, tag = ?, config_schema = ?,
                                      public_jobs = ?, capabilities = ?, transpiled = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    contents.pluginType, contents.name, contents.description, contents.url, contents.tag,
                    contents.configSchema, contents.publicJobs, contents.capabilities, contents.transpiledCode, Date(),
                    pluginID,
                ])
            try Self.replaceFiles(contents.files, pluginID: pluginID, in: db)
        }
    }

    private static func replaceFiles(_ files: [String: Data], pluginID: Int, in db: Database) throws {
        try db.execute(sql: "DELETE FROM plugin_source_file WHERE plugin_id = ?", arguments: [pluginID])
        let insert = try db.cachedStatement(
            sql: "INSERT INTO plugin_source_file (plugin_id, filename, content) VALUES (?, ?, ?)")
        for (name, content) in files {
            try insert.execute(arguments: [pluginID, name, content])
        }
    }

    public func plugins(organizationID: Int) async throws -> [PluginRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM plugin WHERE organization_id = ? ORDER BY id", arguments: [organizationID])
                .map(PluginRecord.init(row:))
        }
    }

    public func plugin(id: Int) async throws -> PluginRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM plugin WHERE id = ?", arguments: [id]).map(PluginRecord.init(row:))
        }
    }

    public func files(pluginID: Int) async throws -> [String: Data] {
        try await database.pool.read { db in
            var files: [String: Data] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT filename, content FROM plugin_source_file WHERE plugin_id = ?", arguments: [pluginID])
            while let row = try rows.next() { files[row["filename"]] = row["content"] }
            return files
        }
    }

    public func transpiledCode(pluginID: Int) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT transpiled FROM plugin WHERE id = ?", arguments: [pluginID])
        }
    }

    public func setLatestTag(_ tag: String?, pluginID: Int) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE plugin SET latest_tag = ?, latest_tag_checked_at = ? WHERE id = ?",
                arguments: [tag, Date(), pluginID])
        }
    }

    public func deletePlugin(id: Int) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM plugin WHERE id = ?", arguments: [id])
        }
    }

    // MARK: Plugin configs

    public func createPluginConfig(
        teamID: Int, pluginID: Int, order: Int, config: [String: String], enabled: Bool
    ) async throws -> Int {
        let configJSON = try Self.encode(config)
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

    public func allPluginConfigs() async throws -> [PluginConfigRecord] {
        try await configRecords(where: "1", arguments: [])
    }

    public func pluginConfigs(teamID: Int) async throws -> [PluginConfigRecord] {
        try await configRecords(where: "team_id = ?", arguments: [teamID])
    }

    public func pluginConfigs(pluginID: Int) async throws -> [PluginConfigRecord] {
        try await configRecords(where: "plugin_id = ?", arguments: [pluginID])
    }

    public func pluginConfig(id: Int) async throws -> PluginConfigRecord? {
        try await configRecords(where: "id = ?", arguments: [id]).first
    }

    private func configRecords(where condition: String, arguments: StatementArguments) async throws -> [PluginConfigRecord] {
        try await database.pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM plugin_config WHERE \(condition) ORDER BY \"order\", id", arguments: arguments)
            return try rows.map { row in
                let id: Int = row["id"]
                var attachments: [String: AttachmentSummary] = [:]
                for attachment in try Row.fetchAll(
                    db,
                    sql: "SELECT key, content_type, file_name, length(contents) AS size FROM plugin_attachment WHERE plugin_config_id = ?",
                    arguments: [id])
                {
                    attachments[attachment["key"]] = AttachmentSummary(
                        contentType: attachment["content_type"], fileName: attachment["file_name"], size: attachment["size"])
                }
                return PluginConfigRecord(
                    id: id, teamID: row["team_id"], pluginID: row["plugin_id"], enabled: row["enabled"], order: row["order"],
                    config: try Self.decode(row["config"]), error: row["error"], attachments: attachments,
                    createdAt: row["created_at"], updatedAt: row["updated_at"])
            }
        }
    }

    public func updatePluginConfig(id: Int, enabled: Bool?, order: Int?, config: [String: String]?) async throws {
        let configJSON = try config.map(Self.encode)
        try await database.pool.write { db in
            if let enabled {
                try db.execute(
                    sql: "UPDATE plugin_config SET enabled = ?, error = CASE WHEN ? THEN NULL ELSE error END WHERE id = ?",
                    arguments: [enabled, enabled, id])
            }
            if let order {
                try db.execute(sql: "UPDATE plugin_config SET \"order\" = ? WHERE id = ?", arguments: [order, id])
            }
            if let configJSON {
                try db.execute(sql: "UPDATE plugin_config SET config = ? WHERE id = ?", arguments: [configJSON, id])
            }
            try db.execute(sql: "UPDATE plugin_config SET updated_at = ? WHERE id = ?", arguments: [Date(), id])
        }
    }

    public func deletePluginConfig(id: Int) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM plugin_config WHERE id = ?", arguments: [id])
        }
    }

    public func setAttachment(_ attachment: PluginAttachment?, key: String, pluginConfigID: Int) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM plugin_attachment WHERE plugin_config_id = ? AND key = ?", arguments: [pluginConfigID, key])
            if let attachment {
                try db.execute(
                    sql: """
                        INSERT INTO plugin_attachment (plugin_config_id, key, content_type, file_name, contents)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [pluginConfigID, key, attachment.contentType, attachment.fileName, attachment.contents])
            }
            try db.execute(sql: "UPDATE plugin_config SET updated_at = ? WHERE id = ?", arguments: [Date(), pluginConfigID])
        }
    }

    public func enabledPluginConfigs() async throws -> [PluginConfigDefinition] {
        try await enabledConfigs(where: "c.enabled", arguments: [])
    }

    public func enabledPluginConfig(id: Int) async throws -> PluginConfigDefinition? {
        try await enabledConfigs(where: "c.enabled AND c.id = ?", arguments: [id]).first
    }

    private func enabledConfigs(where condition: String, arguments: StatementArguments) async throws -> [PluginConfigDefinition] {
        try await database.pool.read { db in
            // One read of the attachments for all the configs, not one per config: a server with 10,000 configs
            // starts with this.
            var attachments: [Int: [String: PluginAttachment]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT a.plugin_config_id, a.key, a.content_type, a.file_name, a.contents
                    FROM plugin_attachment a JOIN plugin_config c ON c.id = a.plugin_config_id WHERE \(condition)
                    """,
                arguments: arguments)
            {
                attachments[row["plugin_config_id"], default: [:]][row["key"]] = PluginAttachment(
                    contentType: row["content_type"], fileName: row["file_name"], contents: row["contents"])
            }
            // The configs of one plugin share its code and capabilities rather than each holding a copy.
            var plugins: [Int: (code: CompiledPlugin, capabilities: PluginCapabilities?)] = [:]
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.team_id, c.plugin_id, p.name, c."order", c.config, p.transpiled, p.capabilities
                    FROM plugin_config c JOIN plugin p ON p.id = c.plugin_id
                    WHERE \(condition) ORDER BY c.team_id, c."order", c.id
                    """,
                arguments: arguments
            ).map { row in
                let pluginID: Int = row["plugin_id"]
                let plugin =
                    plugins[pluginID]
                    ?? (CompiledPlugin(code: row["transpiled"]), try? JSONDecoder().decode(PluginCapabilities.self, from: Data((row["capabilities"] as String).utf8)))
                plugins[pluginID] = plugin
                return PluginConfigDefinition(
                    id: row["id"], teamID: row["team_id"], pluginID: pluginID, pluginName: row["name"],
                    order: row["order"], config: try Self.decode(row["config"]), attachments: attachments[row["id"]] ?? [:],
                    code: plugin.code, capabilities: plugin.capabilities)
            }
        }
    }

    public func disablePluginConfig(id: Int, errorMessage: String) async throws {
        let error = try Self.encode(["message": errorMessage, "time": ISO8601DateFormatter().string(from: Date())])
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE plugin_config SET enabled = 0, error = ?, updated_at = ? WHERE id = ?",
                arguments: [error, Date(), id])
        }
    }

    // MARK: Logs

    public func logEntries(_ query: PluginLogQuery) async throws -> [PluginLogEntry] {
        try await database.pool.read { db in
            var conditions = ["plugin_config_id = ?"]
            var arguments: StatementArguments = [query.pluginConfigID]
            if !query.types.isEmpty {
                conditions.append("type IN (\(query.types.map { _ in "?" }.joined(separator: ",")))")
                _ = arguments.append(contentsOf: StatementArguments(query.types.map(\.rawValue).sorted()))
            }
            if !query.sources.isEmpty {
                conditions.append("source IN (\(query.sources.map { _ in "?" }.joined(separator: ",")))")
                _ = arguments.append(contentsOf: StatementArguments(query.sources.map(\.rawValue).sorted()))
            }
            if let search = query.search {
                conditions.append("instr(lower(message), lower(?)) > 0")
                _ = arguments.append(contentsOf: [search])
            }
            if let after = query.after {
                conditions.append("timestamp > ?")
                _ = arguments.append(contentsOf: [after])
            }
            if let before = query.before {
                conditions.append("timestamp < ?")
                _ = arguments.append(contentsOf: [before])
            }
            _ = arguments.append(contentsOf: [query.limit])
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM plugin_log_entry WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY timestamp DESC, rowid DESC LIMIT ?
                    """,
                arguments: arguments
            ).map(PluginLogEntry.init(row:))
        }
    }

    private static func encode(_ values: [String: String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    private static func decode(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}

extension PluginRecord {
    fileprivate init(row: Row) {
        self.init(
            id: row["id"], organizationID: row["organization_id"], pluginType: row["plugin_type"], name: row["name"],
            description: row["description"], url: row["url"], tag: row["tag"], latestTag: row["latest_tag"],
            latestTagCheckedAt: row["latest_tag_checked_at"], configSchema: row["config_schema"],
            publicJobs: row["public_jobs"], capabilities: row["capabilities"], createdAt: row["created_at"],
            updatedAt: row["updated_at"])
    }
}

extension PluginLogEntry {
    init(row: Row) {
        self.init(
            id: UUID(uuidString: row["id"]) ?? UUID(), teamID: row["team_id"], pluginID: row["plugin_id"],
            pluginConfigID: row["plugin_config_id"], timestamp: row["timestamp"],
            source: PluginLogEntry.Source(rawValue: row["source"]) ?? .system,
            type: PluginLogEntry.Level(rawValue: row["type"]) ?? .log, message: row["message"],
            instanceID: UUID(uuidString: row["instance_id"]) ?? UUID())
    }
}

extension SQLitePluginStore {
    /// One process uses the file: every change is made by this instance.
    public func recentConfigChangesByOtherInstances() async throws -> [PluginConfigChange] { [] }

    public func pluginAdoption(organizationID: Int?) async throws -> [PluginAdoption] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT plugin.name, COUNT(DISTINCT plugin.id) AS installations,
                        COUNT(DISTINCT plugin_config.team_id) AS configured,
                        COUNT(DISTINCT CASE WHEN plugin_config.enabled THEN plugin_config.team_id END) AS enabled
                    FROM plugin LEFT JOIN plugin_config ON plugin_config.plugin_id = plugin.id
                    WHERE ?1 IS NULL OR plugin.organization_id = ?1
                    GROUP BY plugin.name ORDER BY plugin.name
                    """,
                arguments: [organizationID]
            ).map {
                PluginAdoption(
                    name: $0["name"], installations: $0["installations"], configuredProjects: $0["configured"],
                    enabledProjects: $0["enabled"])
            }
        }
    }
}
