import Foundation
import Storage

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
