import Logging
import PostgresNIO

extension PostgresDatabase {
    /// Each migration's statements, applied in order; append-only: a shipped migration is never edited.
    /// The first is the schema SQLite reached through its own migrations v1 to v12.
    static let migrations: [(name: String, statements: [String])] = [
        (
            "v1: the schema of SQLite's v12",
            [
                """
                CREATE TABLE organization (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)
                """,
                """
                CREATE TABLE team (
                    id BIGSERIAL PRIMARY KEY,
                    organization_id BIGINT NOT NULL REFERENCES organization ON DELETE CASCADE,
                    name TEXT NOT NULL, api_token TEXT NOT NULL UNIQUE, anonymize_ips BOOLEAN NOT NULL DEFAULT FALSE,
                    session_recording_opt_in BOOLEAN NOT NULL DEFAULT FALSE, created_at TIMESTAMPTZ NOT NULL)
                """,
                "CREATE INDEX team_organization ON team (organization_id)",
                """
                CREATE TABLE personal_api_key (
                    id BIGSERIAL PRIMARY KEY,
                    organization_id BIGINT NOT NULL REFERENCES organization ON DELETE CASCADE,
                    label TEXT NOT NULL, secure_value TEXT NOT NULL UNIQUE, mask_value TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL)
                """,
                """
                CREATE TABLE plugin (
                    id BIGSERIAL PRIMARY KEY,
                    organization_id BIGINT NOT NULL REFERENCES organization ON DELETE CASCADE,
                    plugin_type TEXT NOT NULL, name TEXT NOT NULL, description TEXT, url TEXT, config_schema TEXT NOT NULL,
                    transpiled TEXT NOT NULL, tag TEXT, latest_tag TEXT, latest_tag_checked_at TIMESTAMPTZ,
                    capabilities TEXT NOT NULL DEFAULT '{}', public_jobs TEXT NOT NULL DEFAULT '{}',
                    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)
                """,
                "CREATE INDEX plugin_organization ON plugin (organization_id)",
                """
                CREATE TABLE plugin_source_file (
                    plugin_id BIGINT NOT NULL REFERENCES plugin ON DELETE CASCADE, filename TEXT NOT NULL,
                    content BYTEA NOT NULL, PRIMARY KEY (plugin_id, filename))
                """,
                """
                CREATE TABLE plugin_config (
                    id BIGSERIAL PRIMARY KEY,
                    team_id BIGINT NOT NULL REFERENCES team ON DELETE CASCADE,
                    plugin_id BIGINT NOT NULL REFERENCES plugin ON DELETE CASCADE,
                    enabled BOOLEAN NOT NULL, "order" BIGINT NOT NULL, config TEXT NOT NULL, error TEXT,
                    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)
                """,
                "CREATE INDEX plugin_config_team ON plugin_config (team_id)",
                "CREATE INDEX plugin_config_plugin ON plugin_config (plugin_id)",
                """
                CREATE TABLE plugin_attachment (
                    id BIGSERIAL PRIMARY KEY,
                    plugin_config_id BIGINT NOT NULL REFERENCES plugin_config ON DELETE CASCADE,
                    key TEXT NOT NULL, content_type TEXT NOT NULL, file_name TEXT NOT NULL, contents BYTEA NOT NULL,
                    UNIQUE (plugin_config_id, key))
                """,
                """
                CREATE TABLE plugin_storage (
                    plugin_config_id BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (plugin_config_id, key))
                """,
                """
                CREATE TABLE plugin_cursor (
                    plugin_config_id BIGINT NOT NULL, key TEXT NOT NULL, value BIGINT NOT NULL,
                    PRIMARY KEY (plugin_config_id, key))
                """,
                """
                CREATE TABLE ingestion_log (
                    seq BIGSERIAL PRIMARY KEY, team_id BIGINT NOT NULL, uuid TEXT NOT NULL, distinct_id TEXT NOT NULL,
                    payload BYTEA NOT NULL, crashes BIGINT NOT NULL DEFAULT 0, crash_mark BIGINT,
                    accepted_at DOUBLE PRECISION)
                """,
                "CREATE INDEX ingestion_log_team ON ingestion_log (team_id, seq)",
                // Which logged events each team is processing: outlives a process, not a server crash (no WAL).
                """
                CREATE UNLOGGED TABLE in_flight (
                    team_id BIGINT PRIMARY KEY, first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL, mark BIGINT NOT NULL)
                """,
                """
                CREATE TABLE event (
                    id BIGSERIAL PRIMARY KEY, team_id BIGINT NOT NULL, uuid TEXT NOT NULL, event TEXT NOT NULL,
                    distinct_id TEXT NOT NULL, timestamp TEXT COLLATE "C" NOT NULL, properties TEXT NOT NULL,
                    data BYTEA NOT NULL,
                    session_id TEXT, UNIQUE (team_id, uuid))
                """,
                // Timestamps compare as bytes (collation "C"), as in SQLite: ISO 8601 in one format sorts by time.
                "CREATE INDEX event_team_timestamp ON event (team_id, timestamp, id)",
                """
                CREATE INDEX event_team_session ON event (team_id, session_id, timestamp, id) WHERE session_id IS NOT NULL
                """,
                """
                CREATE TABLE dropped_event (
                    id BIGSERIAL PRIMARY KEY, team_id BIGINT NOT NULL, uuid TEXT NOT NULL, event TEXT NOT NULL,
                    distinct_id TEXT NOT NULL, dropped_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
                    UNIQUE (team_id, uuid))
                """,
                """
                CREATE TABLE ingestion_warning (
                    team_id BIGINT NOT NULL, type TEXT NOT NULL, hour TIMESTAMPTZ NOT NULL, count BIGINT NOT NULL,
                    last_seen TIMESTAMPTZ NOT NULL, last_details TEXT NOT NULL, PRIMARY KEY (team_id, type, hour))
                """,
                """
                CREATE TABLE quarantined_event (
                    id BIGSERIAL PRIMARY KEY, team_id BIGINT NOT NULL, uuid TEXT NOT NULL, distinct_id TEXT NOT NULL,
                    payload BYTEA NOT NULL, crashes BIGINT NOT NULL, quarantined_at TIMESTAMPTZ NOT NULL)
                """,
                "CREATE INDEX quarantined_event_team ON quarantined_event (team_id, id)",
                """
                CREATE TABLE plugin_log_entry (
                    id TEXT PRIMARY KEY, team_id BIGINT NOT NULL, plugin_id BIGINT NOT NULL, plugin_config_id BIGINT NOT NULL,
                    timestamp TIMESTAMPTZ NOT NULL, source TEXT NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL,
                    instance_id TEXT NOT NULL, position BIGSERIAL)
                """,
                "CREATE INDEX plugin_log_entry_config ON plugin_log_entry (plugin_config_id, timestamp)",
                """
                CREATE TABLE work_item (
                    id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, plugin_config_id BIGINT NOT NULL, team_id BIGINT NOT NULL,
                    payload BYTEA NOT NULL, run_at TIMESTAMPTZ NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,
                    status TEXT NOT NULL DEFAULT 'pending', lease_until TIMESTAMPTZ, last_error TEXT,
                    created_at TIMESTAMPTZ NOT NULL)
                """,
                "CREATE INDEX work_item_due ON work_item (status, run_at)",
                "CREATE INDEX work_item_config ON work_item (plugin_config_id, kind, status)",
                "CREATE INDEX work_item_config_due ON work_item (status, plugin_config_id, run_at)",
                """
                CREATE TABLE scheduled_run (
                    plugin_config_id BIGINT NOT NULL, task TEXT NOT NULL, boundary TIMESTAMPTZ NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, outcome TEXT NOT NULL, error TEXT,
                    PRIMARY KEY (plugin_config_id, task, boundary))
                """,
                """
                CREATE TABLE plugin_usage (
                    team_id BIGINT NOT NULL, plugin_config_id BIGINT NOT NULL, hour TIMESTAMPTZ NOT NULL,
                    seconds DOUBLE PRECISION NOT NULL, calls BIGINT NOT NULL, PRIMARY KEY (team_id, plugin_config_id, hour))
                """,
                """
                CREATE TABLE action_webhook (
                    id BIGSERIAL PRIMARY KEY, team_id BIGINT NOT NULL REFERENCES team ON DELETE CASCADE, name TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL, event TEXT, property_filters TEXT NOT NULL, service TEXT NOT NULL,
                    url TEXT NOT NULL, message_format TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)
                """,
                "CREATE INDEX action_webhook_team ON action_webhook (team_id)",
                """
                CREATE TABLE rest_hook (
                    id BIGSERIAL PRIMARY KEY, team_id BIGINT NOT NULL REFERENCES team ON DELETE CASCADE,
                    target TEXT NOT NULL, event TEXT NOT NULL,
                    resource_id BIGINT REFERENCES action_webhook ON DELETE CASCADE, created_at TIMESTAMPTZ NOT NULL)
                """,
                "CREATE INDEX rest_hook_team ON rest_hook (team_id)",
                """
                CREATE TABLE project_alert_settings (
                    team_id BIGINT PRIMARY KEY, emails TEXT NOT NULL DEFAULT '[]', webhook_url TEXT)
                """,
                """
                CREATE TABLE plugin_config_alert (
                    plugin_config_id BIGINT NOT NULL, kind TEXT NOT NULL, sent_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (plugin_config_id, kind))
                """,
            ]
        ),
        (
            "v2: instances cooperate",
            [
                // Which instance processes each team's log; the token grows with every new holder (a fencing token).
                """
                CREATE TABLE team_lease (
                    team_id BIGINT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)
                """,
                // Every change to a plugin config, with the instance that made it, so the others reload it.
                """
                CREATE TABLE plugin_config_change (
                    id BIGSERIAL PRIMARY KEY, plugin_config_id BIGINT NOT NULL, team_id BIGINT NOT NULL,
                    origin TEXT NOT NULL DEFAULT coalesce(current_setting('quill.instance', true), ''),
                    changed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())
                """,
                "CREATE INDEX plugin_config_change_time ON plugin_config_change (changed_at)",
                """
                CREATE FUNCTION quill_plugin_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        INSERT INTO plugin_config_change (plugin_config_id, team_id) VALUES (OLD.id, OLD.team_id);
                    ELSE
                        INSERT INTO plugin_config_change (plugin_config_id, team_id) VALUES (NEW.id, NEW.team_id);
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER plugin_config_changed AFTER INSERT OR UPDATE OR DELETE ON plugin_config
                FOR EACH ROW EXECUTE FUNCTION quill_plugin_config_changed()
                """,
                // New code for a plugin changes every config of it.
                """
                CREATE FUNCTION quill_plugin_code_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO plugin_config_change (plugin_config_id, team_id)
                    SELECT id, team_id FROM plugin_config WHERE plugin_id = NEW.id;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER plugin_code_changed AFTER UPDATE OF transpiled ON plugin
                FOR EACH ROW EXECUTE FUNCTION quill_plugin_code_changed()
                """,
            ]
        ),
    ]

    /// Applies the migrations not yet recorded, in one transaction under an advisory lock: instances starting
    /// together migrate one after the other, and the later ones find nothing to do.
    func migrate() async throws {
        try await transaction { transaction in
            // The lock's key is any constant of Quill's own; it is released when the transaction ends.
            try await transaction.execute("SELECT pg_advisory_xact_lock(7101969108)")
            try await transaction.execute(
                "CREATE TABLE IF NOT EXISTS quill_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
            let applied = Set(try await transaction.rows("SELECT name FROM quill_migration", []).map { row -> String in try row["name"] })
            for migration in Self.migrations where !applied.contains(migration.name) {
                for sql in migration.statements {
                    try await transaction.execute(sql)
                }
                try await transaction.execute("INSERT INTO quill_migration (name, applied_at) VALUES (?, now())", [migration.name])
            }
        }
    }
}
