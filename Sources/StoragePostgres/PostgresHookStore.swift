import Foundation
import Storage
import Synchronization

/// Action webhooks and REST hooks in PostgreSQL.
struct PostgresHookStore: HookStore {
    let database: PostgresDatabase

    func actionWebhooks(teamID: Int) async throws -> [ActionWebhook] {
        try await database.rows("SELECT * FROM action_webhook WHERE team_id = ? ORDER BY id", [teamID]).map(Self.actionWebhook)
    }

    func actionWebhook(id: Int, teamID: Int) async throws -> ActionWebhook? {
        try await database.row("SELECT * FROM action_webhook WHERE id = ? AND team_id = ?", [id, teamID]).map(Self.actionWebhook)
    }

    func createActionWebhook(teamID: Int, settings: ActionWebhook.Settings) async throws -> ActionWebhook {
        try Self.actionWebhook(
            try await database.row(
                """
                INSERT INTO action_webhook (team_id, name, enabled, event, property_filters, service, url, message_format, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [
                    teamID, settings.name, settings.enabled, settings.event, settings.propertyFilters, settings.service.rawValue,
                    settings.url, settings.messageFormat, Date(),
                ])!)
    }

    func updateActionWebhook(id: Int, teamID: Int, settings: ActionWebhook.Settings) async throws -> ActionWebhook? {
        try await database.row(
            """
            UPDATE action_webhook SET name = ?, enabled = ?, event = ?, property_filters = ?, service = ?, url = ?, message_format = ?
            WHERE id = ? AND team_id = ? RETURNING *
            """,
            [
                settings.name, settings.enabled, settings.event, settings.propertyFilters, settings.service.rawValue, settings.url,
                settings.messageFormat, id, teamID,
            ]
        ).map(Self.actionWebhook)
    }

    func deleteActionWebhook(id: Int, teamID: Int) async throws -> Bool {
        try await database.row("DELETE FROM action_webhook WHERE id = ? AND team_id = ? RETURNING id", [id, teamID]) != nil
    }

    func restHooks(teamID: Int) async throws -> [RestHook] {
        try await database.rows("SELECT * FROM rest_hook WHERE team_id = ? ORDER BY id", [teamID]).map(Self.restHook)
    }

    func restHook(id: Int, teamID: Int) async throws -> RestHook? {
        try await database.row("SELECT * FROM rest_hook WHERE id = ? AND team_id = ?", [id, teamID]).map(Self.restHook)
    }

    func createRestHook(teamID: Int, target: String, event: String, resourceID: Int?) async throws -> RestHook {
        try Self.restHook(
            try await database.row(
                "INSERT INTO rest_hook (team_id, target, event, resource_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
                [teamID, target, event, resourceID, Date()])!)
    }

    func deleteRestHook(id: Int, teamID: Int) async throws -> Bool {
        try await database.row("DELETE FROM rest_hook WHERE id = ? AND team_id = ? RETURNING id", [id, teamID]) != nil
    }

    private static func actionWebhook(_ row: SQLRow) throws -> ActionWebhook {
        ActionWebhook(
            id: try row["id"], teamID: try row["team_id"],
            settings: ActionWebhook.Settings(
                name: try row["name"], enabled: try row["enabled"], event: try row["event"],
                propertyFilters: try row["property_filters"],
                service: ActionWebhook.Service(rawValue: try row["service"]) ?? .json, url: try row["url"],
                messageFormat: try row["message_format"]),
            createdAt: try row["created_at"])
    }

    private static func restHook(_ row: SQLRow) throws -> RestHook {
        RestHook(
            id: try row["id"], teamID: try row["team_id"], target: try row["target"], event: try row["event"],
            resourceID: try row["resource_id"], createdAt: try row["created_at"])
    }
}

/// Projects' alert settings and the alerts sent, in PostgreSQL.
struct PostgresAlertStore: AlertStore {
    let database: PostgresDatabase

    func alertSettings(projectID: Int) async throws -> AlertSettings {
        guard let row = try await database.row("SELECT * FROM project_alert_settings WHERE team_id = ?", [projectID]) else {
            return AlertSettings()
        }
        let emails = (try? JSONDecoder().decode([String].self, from: Data((try row["emails"] as String).utf8))) ?? []
        return AlertSettings(emails: emails, webhookURL: try row["webhook_url"])
    }

    func setAlertSettings(_ settings: AlertSettings, projectID: Int) async throws {
        let emails = String(decoding: try JSONEncoder().encode(settings.emails), as: UTF8.self)
        try await database.execute(
            """
            INSERT INTO project_alert_settings (team_id, emails, webhook_url) VALUES (?, ?, ?)
            ON CONFLICT (team_id) DO UPDATE SET emails = excluded.emails, webhook_url = excluded.webhook_url
            """, [projectID, emails, settings.webhookURL])
    }

    func claimAlert(pluginConfigID: Int, kind: AlertKind, now: Date, interval: TimeInterval) async throws -> Bool {
        // One statement: of two instances claiming at once, only one finds the last alert old enough.
        try await database.row(
            """
            INSERT INTO plugin_config_alert (plugin_config_id, kind, sent_at) VALUES (?, ?, ?)
            ON CONFLICT (plugin_config_id, kind) DO UPDATE SET sent_at = excluded.sent_at
            WHERE plugin_config_alert.sent_at <= ?
            RETURNING sent_at
            """, [pluginConfigID, kind.rawValue, now, now.addingTimeInterval(-interval)]) != nil
    }
}

/// Plugin log entries in PostgreSQL, buffered in memory until ``flush()``: `append` never waits for the database.
/// Each config keeps its newest entries; pruning runs for a config once it has written a tenth of that since
/// its last pruning (and on its first flush), as the SQLite store does.
final class PostgresPluginLogStore: PluginLogStore {
    private struct State {
        var buffer: [PluginLogEntry] = []
        var writtenSincePruning: [Int: Int] = [:]
    }

    private let database: PostgresDatabase
    private let entriesPerConfig: Int
    private let state = Mutex(State())

    init(database: PostgresDatabase, entriesPerConfig: Int) {
        self.database = database
        self.entriesPerConfig = max(1, entriesPerConfig)
    }

    func append(_ entry: PluginLogEntry) {
        state.withLock { $0.buffer.append(entry) }
    }

    func flush() async throws {
        let pruningBatch = max(1, entriesPerConfig / 10)
        let (entries, due) = state.withLock { state in
            defer { state.buffer.removeAll(keepingCapacity: true) }
            var due: [Int] = []
            for (id, count) in Dictionary(state.buffer.map { ($0.pluginConfigID, 1) }, uniquingKeysWith: +) {
                let written = state.writtenSincePruning[id].map { $0 + count } ?? pruningBatch
                if written >= pruningBatch { due.append(id) }
                state.writtenSincePruning[id] = written >= pruningBatch ? 0 : written
            }
            return (state.buffer, due)
        }
        guard !entries.isEmpty else { return }
        try await database.transaction { [entriesPerConfig] db in
            for entry in entries {
                try await db.execute(
                    """
                    INSERT INTO plugin_log_entry (id, team_id, plugin_id, plugin_config_id, timestamp, source, type, message,
                                                  instance_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """,
                    [
                        entry.id.uuidString, entry.teamID, entry.pluginID, entry.pluginConfigID, entry.timestamp,
                        entry.source.rawValue, entry.type.rawValue, entry.message, entry.instanceID.uuidString,
                    ])
            }
            // Newest first on (plugin_config_id, timestamp): everything past the kept ones goes.
            for id in due {
                try await db.execute(
                    """
                    DELETE FROM plugin_log_entry WHERE position IN (
                        SELECT position FROM plugin_log_entry WHERE plugin_config_id = ?
                        ORDER BY timestamp DESC, position DESC OFFSET ?)
                    """, [id, entriesPerConfig])
            }
        }
    }
}
