import Foundation
import Storage

/// Installed plugins, plugin configs, attachments and logs in PostgreSQL.
struct PostgresPluginStore: PluginStore {
    let database: PostgresDatabase

    // MARK: Plugins

    func install(_ contents: PluginContents, organizationID: Int) async throws -> Int {
        try await database.transaction { db in
            let now = Date()
            let id = try await db.value(
                """
                INSERT INTO plugin (organization_id, plugin_type, name, description, url, tag, config_schema, public_jobs,
                                    capabilities, transpiled, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """,
                [
                    organizationID, contents.pluginType, contents.name, contents.description, contents.url, contents.tag,
                    contents.configSchema, contents.publicJobs, contents.capabilities, contents.transpiledCode, now, now,
                ], as: Int.self)!
            try await Self.replaceFiles(contents.files, pluginID: id, in: db)
            return id
        }
    }

    func update(pluginID: Int, with contents: PluginContents) async throws {
        try await database.transaction { db in
            try await db.execute(
                """
                UPDATE plugin SET plugin_type = ?, name = ?, description = ?, url = ?, tag = ?, config_schema = ?,
                                  public_jobs = ?, capabilities = ?, transpiled = ?, updated_at = ?
                WHERE id = ?
                """,
                [
                    contents.pluginType, contents.name, contents.description, contents.url, contents.tag,
                    contents.configSchema, contents.publicJobs, contents.capabilities, contents.transpiledCode, Date(),
                    pluginID,
                ])
            try await Self.replaceFiles(contents.files, pluginID: pluginID, in: db)
        }
    }

    private static func replaceFiles(_ files: [String: Data], pluginID: Int, in db: SQLTransaction) async throws {
        try await db.execute("DELETE FROM plugin_source_file WHERE plugin_id = ?", [pluginID])
        for (name, content) in files {
            try await db.execute("INSERT INTO plugin_source_file (plugin_id, filename, content) VALUES (?, ?, ?)", [pluginID, name, content])
        }
    }

    func plugins(organizationID: Int) async throws -> [PluginRecord] {
        try await database.rows("SELECT * FROM plugin WHERE organization_id = ? ORDER BY id", [organizationID]).map(PluginRecord.init(row:))
    }

    func plugin(id: Int) async throws -> PluginRecord? {
        try await database.row("SELECT * FROM plugin WHERE id = ?", [id]).map(PluginRecord.init(row:))
    }

    func files(pluginID: Int) async throws -> [String: Data] {
        var files: [String: Data] = [:]
        for row in try await database.rows("SELECT filename, content FROM plugin_source_file WHERE plugin_id = ?", [pluginID]) {
            files[try row["filename"]] = try row.data("content")
        }
        return files
    }

    func transpiledCode(pluginID: Int) async throws -> String? {
        try await database.value("SELECT transpiled FROM plugin WHERE id = ?", [pluginID])
    }

    func setLatestTag(_ tag: String?, pluginID: Int) async throws {
        try await database.execute("UPDATE plugin SET latest_tag = ?, latest_tag_checked_at = ? WHERE id = ?", [tag, Date(), pluginID])
    }

    func deletePlugin(id: Int) async throws {
        try await database.execute("DELETE FROM plugin WHERE id = ?", [id])
    }

    // MARK: Plugin configs

    func createPluginConfig(teamID: Int, pluginID: Int, order: Int, config: [String: String], enabled: Bool) async throws -> Int {
        let now = Date()
        return try await database.value(
            """
            INSERT INTO plugin_config (team_id, plugin_id, enabled, "order", config, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [teamID, pluginID, enabled, order, try Self.encode(config), now, now], as: Int.self)!
    }

    func allPluginConfigs() async throws -> [PluginConfigRecord] {
        try await configRecords(where: "TRUE", arguments: [])
    }

    func pluginConfigs(teamID: Int) async throws -> [PluginConfigRecord] {
        try await configRecords(where: "team_id = ?", arguments: [teamID])
    }

    func pluginConfigs(pluginID: Int) async throws -> [PluginConfigRecord] {
        try await configRecords(where: "plugin_id = ?", arguments: [pluginID])
    }

    func pluginConfig(id: Int) async throws -> PluginConfigRecord? {
        try await configRecords(where: "id = ?", arguments: [id]).first
    }

    private func configRecords(where condition: String, arguments: [any SQLArgument]) async throws -> [PluginConfigRecord] {
        let rows = try await database.rows("SELECT * FROM plugin_config WHERE \(condition) ORDER BY \"order\", id", arguments)
        var attachments: [Int: [String: AttachmentSummary]] = [:]
        for row in try await database.rows(
            """
            SELECT plugin_config_id, key, content_type, file_name, length(contents) AS size FROM plugin_attachment
            WHERE plugin_config_id IN (SELECT id FROM plugin_config WHERE \(condition))
            """, arguments)
        {
            attachments[try row["plugin_config_id"], default: [:]][try row["key"]] = AttachmentSummary(
                contentType: try row["content_type"], fileName: try row["file_name"], size: try row["size"])
        }
        return try rows.map { row in
            let id: Int = try row["id"]
            return PluginConfigRecord(
                id: id, teamID: try row["team_id"], pluginID: try row["plugin_id"], enabled: try row["enabled"],
                order: try row["order"], config: try Self.decode(try row["config"]), error: try row["error"],
                attachments: attachments[id] ?? [:], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
        }
    }

    func updatePluginConfig(id: Int, enabled: Bool?, order: Int?, config: [String: String]?) async throws {
        let configJSON = try config.map(Self.encode)
        try await database.execute(
            """
            UPDATE plugin_config SET enabled = COALESCE(?, enabled),
                error = CASE WHEN ? THEN NULL ELSE error END,
                "order" = COALESCE(?, "order"), config = COALESCE(?, config), updated_at = ?
            WHERE id = ?
            """,
            [enabled, enabled == true, order, configJSON, Date(), id])
    }

    func deletePluginConfig(id: Int) async throws {
        try await database.execute("DELETE FROM plugin_config WHERE id = ?", [id])
    }

    func setAttachment(_ attachment: PluginAttachment?, key: String, pluginConfigID: Int) async throws {
        try await database.transaction { db in
            try await db.execute("DELETE FROM plugin_attachment WHERE plugin_config_id = ? AND key = ?", [pluginConfigID, key])
            if let attachment {
                try await db.execute(
                    """
                    INSERT INTO plugin_attachment (plugin_config_id, key, content_type, file_name, contents)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                    [pluginConfigID, key, attachment.contentType, attachment.fileName, attachment.contents])
            }
            try await db.execute("UPDATE plugin_config SET updated_at = ? WHERE id = ?", [Date(), pluginConfigID])
        }
    }

    func enabledPluginConfigs() async throws -> [PluginConfigDefinition] {
        try await enabledConfigs(where: "c.enabled", arguments: [])
    }

    func enabledPluginConfig(id: Int) async throws -> PluginConfigDefinition? {
        try await enabledConfigs(where: "c.enabled AND c.id = ?", arguments: [id]).first
    }

    private func enabledConfigs(where condition: String, arguments: [any SQLArgument]) async throws -> [PluginConfigDefinition] {
        // One read of the attachments for all the configs, not one per config: a server with 10,000 configs starts
        // with this.
        var attachments: [Int: [String: PluginAttachment]] = [:]
        for row in try await database.rows(
            """
            SELECT a.plugin_config_id, a.key, a.content_type, a.file_name, a.contents
            FROM plugin_attachment a JOIN plugin_config c ON c.id = a.plugin_config_id WHERE \(condition)
            """, arguments)
        {
            attachments[try row["plugin_config_id"], default: [:]][try row["key"]] = PluginAttachment(
                contentType: try row["content_type"], fileName: try row["file_name"], contents: try row.data("contents"))
        }
        // The configs of one plugin share its code and capabilities rather than each holding a copy.
        var plugins: [Int: (code: CompiledPlugin, capabilities: PluginCapabilities?)] = [:]
        return try await database.rows(
            """
            SELECT c.id, c.team_id, c.plugin_id, p.name, c."order", c.config, p.transpiled, p.capabilities
            FROM plugin_config c JOIN plugin p ON p.id = c.plugin_id
            WHERE \(condition) ORDER BY c.team_id, c."order", c.id
            """, arguments
        ).map { row in
            let pluginID: Int = try row["plugin_id"]
            let plugin: (code: CompiledPlugin, capabilities: PluginCapabilities?)
            if let shared = plugins[pluginID] {
                plugin = shared
            } else {
                let capabilities: String = try row["capabilities"]
                plugin = (
                    CompiledPlugin(code: try row["transpiled"]),
                    try? JSONDecoder().decode(PluginCapabilities.self, from: Data(capabilities.utf8))
                )
                plugins[pluginID] = plugin
            }
            let id: Int = try row["id"]
            return PluginConfigDefinition(
                id: id, teamID: try row["team_id"], pluginID: pluginID, pluginName: try row["name"],
                order: try row["order"], config: try Self.decode(try row["config"]), attachments: attachments[id] ?? [:],
                code: plugin.code, capabilities: plugin.capabilities)
        }
    }

    func disablePluginConfig(id: Int, errorMessage: String) async throws {
        let error = try Self.encode(["message": errorMessage, "time": ISO8601DateFormatter().string(from: Date())])
        try await database.execute("UPDATE plugin_config SET enabled = FALSE, error = ?, updated_at = ? WHERE id = ?", [error, Date(), id])
    }

    func pluginAdoption(organizationID: Int?) async throws -> [PluginAdoption] {
        try await database.rows(
            """
            SELECT plugin.name, COUNT(DISTINCT plugin.id) AS installations,
                COUNT(DISTINCT plugin_config.team_id) AS configured,
                COUNT(DISTINCT CASE WHEN plugin_config.enabled THEN plugin_config.team_id END) AS enabled
            FROM plugin LEFT JOIN plugin_config ON plugin_config.plugin_id = plugin.id
            WHERE ?::bigint IS NULL OR plugin.organization_id = ?
            GROUP BY plugin.name ORDER BY plugin.name
            """,
            [organizationID, organizationID]
        ).map {
            PluginAdoption(
                name: try $0["name"], installations: try $0["installations"], configuredProjects: try $0["configured"],
                enabledProjects: try $0["enabled"])
        }
    }

    func recentConfigChangesByOtherInstances() async throws -> [PluginConfigChange] {
        // What every instance has long read goes (an index range that is almost always empty).
        try await database.execute("DELETE FROM plugin_config_change WHERE changed_at < now() - interval '1 hour'")
        return try await database.rows(
            """
            SELECT id, plugin_config_id, team_id FROM plugin_config_change
            WHERE changed_at > now() - interval '30 seconds' AND origin <> current_setting('quill.instance', true) ORDER BY id
            """, []
        ).map { PluginConfigChange(id: try $0["id"], pluginConfigID: try $0["plugin_config_id"], teamID: try $0["team_id"]) }
    }

    // MARK: Logs

    func logEntries(_ query: PluginLogQuery) async throws -> [PluginLogEntry] {
        var conditions = ["plugin_config_id = ?"]
        var arguments: [any SQLArgument] = [query.pluginConfigID]
        if !query.types.isEmpty {
            conditions.append("type IN (\(query.types.map { _ in "?" }.joined(separator: ",")))")
            arguments += query.types.map(\.rawValue).sorted() as [String]
        }
        if !query.sources.isEmpty {
            conditions.append("source IN (\(query.sources.map { _ in "?" }.joined(separator: ",")))")
            arguments += query.sources.map(\.rawValue).sorted() as [String]
        }
        if let search = query.search {
            conditions.append("strpos(lower(message), lower(?)) > 0")
            arguments.append(search)
        }
        if let after = query.after {
            conditions.append("timestamp > ?")
            arguments.append(after)
        }
        if let before = query.before {
            conditions.append("timestamp < ?")
            arguments.append(before)
        }
        arguments.append(query.limit)
        return try await database.rows(
            """
            SELECT * FROM plugin_log_entry WHERE \(conditions.joined(separator: " AND "))
            ORDER BY timestamp DESC, position DESC LIMIT ?
            """, arguments
        ).map(PluginLogEntry.init(row:))
    }

    private static func encode(_ values: [String: String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    private static func decode(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}

extension PluginRecord {
    fileprivate init(row: SQLRow) throws {
        self.init(
            id: try row["id"], organizationID: try row["organization_id"], pluginType: try row["plugin_type"], name: try row["name"],
            description: try row["description"], url: try row["url"], tag: try row["tag"], latestTag: try row["latest_tag"],
            latestTagCheckedAt: try row["latest_tag_checked_at"], configSchema: try row["config_schema"],
            publicJobs: try row["public_jobs"], capabilities: try row["capabilities"], createdAt: try row["created_at"],
            updatedAt: try row["updated_at"])
    }
}

extension PluginLogEntry {
    fileprivate init(row: SQLRow) throws {
        self.init(
            id: UUID(uuidString: try row["id"]) ?? UUID(), teamID: try row["team_id"], pluginID: try row["plugin_id"],
            pluginConfigID: try row["plugin_config_id"], timestamp: try row["timestamp"],
            source: PluginLogEntry.Source(rawValue: try row["source"]) ?? .system,
            type: PluginLogEntry.Level(rawValue: try row["type"]) ?? .log, message: try row["message"],
            instanceID: UUID(uuidString: try row["instance_id"]) ?? UUID())
    }
}
