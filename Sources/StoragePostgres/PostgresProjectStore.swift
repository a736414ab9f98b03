import Foundation
import Storage

/// Organizations, projects and personal API keys in PostgreSQL.
struct PostgresProjectStore: ProjectStore {
    let database: PostgresDatabase

    func bootstrap(projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String) async throws -> Project? {
        try await database.transaction { db in
            // Instances starting together on an empty database: one creates the default organization.
            try await db.execute("LOCK TABLE organization IN EXCLUSIVE MODE")
            guard try await db.value("SELECT COUNT(*) FROM organization", as: Int.self) == 0 else { return nil }
            return try await Self.insertOrganization(
                "Default organization", projectAPIToken: projectAPIToken, personalAPIKeyHash: personalAPIKeyHash,
                personalAPIKeyMask: personalAPIKeyMask, in: db)
        }
    }

    func createOrganization(
        name: String, projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String
    ) async throws -> Project {
        try await database.transaction { db in
            try await Self.insertOrganization(
                name, projectAPIToken: projectAPIToken, personalAPIKeyHash: personalAPIKeyHash,
                personalAPIKeyMask: personalAPIKeyMask, in: db)
        }
    }

    private static func insertOrganization(
        _ name: String, projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String, in db: SQLTransaction
    ) async throws -> Project {
        let now = Date()
        let organizationID = try await db.value(
            "INSERT INTO organization (name, created_at) VALUES (?, ?) RETURNING id", [name, now], as: Int.self)!
        let projectID = try await db.value(
            "INSERT INTO team (organization_id, name, api_token, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [organizationID, "Default project", projectAPIToken, now], as: Int.self)!
        try await db.execute(
            """
            INSERT INTO personal_api_key (organization_id, label, secure_value, mask_value, created_at)
            VALUES (?, ?, ?, ?, ?)
            """,
            [organizationID, "Created with the organization", personalAPIKeyHash, personalAPIKeyMask, now])
        return Project(id: projectID, organizationID: organizationID, name: "Default project", apiToken: projectAPIToken)
    }

    func project(apiToken: String) async throws -> Project? {
        try await database.row("SELECT * FROM team WHERE api_token = ?", [apiToken]).map(Project.init(row:))
    }

    func project(id: Int) async throws -> Project? {
        try await database.row("SELECT * FROM team WHERE id = ?", [id]).map(Project.init(row:))
    }

    func projects(organizationID: Int) async throws -> [Project] {
        try await database.rows("SELECT * FROM team WHERE organization_id = ? ORDER BY id", [organizationID]).map(Project.init(row:))
    }

    func organizationID(personalAPIKeyHash: String) async throws -> Int? {
        try await database.value("SELECT organization_id FROM personal_api_key WHERE secure_value = ?", [personalAPIKeyHash])
    }

    func setSessionRecordingOptIn(_ optIn: Bool, projectID: Int) async throws -> Project? {
        try await database.row("UPDATE team SET session_recording_opt_in = ? WHERE id = ? RETURNING *", [optIn, projectID])
            .map(Project.init(row:))
    }
}

extension Project {
    fileprivate init(row: SQLRow) throws {
        self.init(
            id: try row["id"], organizationID: try row["organization_id"], name: try row["name"], apiToken: try row["api_token"],
            anonymizeIPs: try row["anonymize_ips"], sessionRecordingOptIn: try row["session_recording_opt_in"])
    }
}
