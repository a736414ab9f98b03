public import Foundation
import GRDB
public import Storage

/// Projects' alert settings and the alerts sent, in SQLite.
public struct SQLiteAlertStore: AlertStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func alertSettings(projectID: Int) async throws -> AlertSettings {
        try await database.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM project_alert_settings WHERE team_id = ?", arguments: [projectID])
            else { return AlertSettings() }
            let emails = (try? JSONDecoder().decode([String].self, from: Data((row["emails"] as String).utf8))) ?? []
            return AlertSettings(emails: emails, webhookURL: row["webhook_url"])
        }
    }

    public func setAlertSettings(_ settings: AlertSettings, projectID: Int) async throws {
        let emails = String(decoding: try JSONEncoder().encode(settings.emails), as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO project_alert_settings (team_id, emails, webhook_url) VALUES (?, ?, ?)
                    ON CONFLICT (team_id) DO UPDATE SET emails = excluded.emails, webhook_url = excluded.webhook_url
                    """,
                arguments: [projectID, emails, settings.webhookURL])
        }
    }

    public func claimAlert(pluginConfigID: Int, kind: AlertKind, now: Date, interval: TimeInterval) async throws -> Bool {
        try await database.pool.write { db in
            let last = try Date.fetchOne(
                db, sql: "SELECT sent_at FROM plugin_config_alert WHERE plugin_config_id = ? AND kind = ?",
                arguments: [pluginConfigID, kind.rawValue])
            if let last, now.timeIntervalSince(last) < interval { return false }
            try db.execute(
                sql: """
                    INSERT INTO plugin_config_alert (plugin_config_id, kind, sent_at) VALUES (?, ?, ?)
                    ON CONFLICT (plugin_config_id, kind) DO UPDATE SET sent_at = excluded.sent_at
                    """,
                arguments: [pluginConfigID, kind.rawValue, now])
            return true
        }
    }
}

extension SQLiteDatabase {
    /// Alerts (issue 19): where each project's go, and when each config's last alert of each kind went, so at most
    /// one a config and kind goes out an hour, across restarts.
    static func registerAlertMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12: plugin alerts") { db in
            try db.create(table: "project_alert_settings") { table in
                table.primaryKey("team_id", .integer)
                table.column("emails", .text).notNull().defaults(to: "[]")
                table.column("webhook_url", .text)
            }
            try db.create(table: "plugin_config_alert") { table in
                table.column("plugin_config_id", .integer).notNull()
                table.column("kind", .text).notNull()
                table.column("sent_at", .datetime).notNull()
                table.primaryKey(["plugin_config_id", "kind"])
            }
        }
    }
}
