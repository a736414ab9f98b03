import Foundation
import Storage

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
