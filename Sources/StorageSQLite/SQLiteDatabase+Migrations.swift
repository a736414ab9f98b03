import GRDB

extension SQLiteDatabase {
    /// Projects, plugins and the ingestion pipeline (issues 2–3).
    static func registerIngestionMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2: projects, plugins, ingestion") { db in
            try db.create(table: "organization") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull()
                table.column("created_at", .datetime).notNull()
            }
            try db.create(table: "team") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("organization_id", .integer).notNull().indexed().references("organization", onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("api_token", .text).notNull().unique()
                table.column("anonymize_ips", .boolean).notNull().defaults(to: false)
                table.column("created_at", .datetime).notNull()
            }
            try db.create(table: "personal_api_key") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("organization_id", .integer).notNull().indexed().references("organization", onDelete: .cascade)
                table.column("label", .text).notNull()
                table.column("secure_value", .text).notNull().unique()
                table.column("mask_value", .text).notNull()
                table.column("created_at", .datetime).notNull()
            }
            try db.create(table: "plugin") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("organization_id", .integer).notNull().indexed().references("organization", onDelete: .cascade)
                table.column("plugin_type", .text).notNull()
                table.column("name", .text).notNull()
                table.column("description", .text)
                table.column("url", .text)
                table.column("config_schema", .text).notNull()
                table.column("transpiled", .text).notNull()
                table.column("created_at", .datetime).notNull()
                table.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "plugin_config") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("team_id", .integer).notNull().indexed().references("team", onDelete: .cascade)
                table.column("plugin_id", .integer).notNull().indexed().references("plugin", onDelete: .cascade)
                table.column("enabled", .boolean).notNull()
                table.column("order", .integer).notNull()
                table.column("config", .text).notNull()
                table.column("error", .text)
                table.column("created_at", .datetime).notNull()
                table.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "plugin_attachment") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("plugin_config_id", .integer).notNull().indexed().references("plugin_config", onDelete: .cascade)
                table.column("key", .text).notNull()
                table.column("content_type", .text).notNull()
                table.column("file_name", .text).notNull()
                table.column("contents", .blob).notNull()
                table.uniqueKey(["plugin_config_id", "key"])
            }
            try db.create(table: "ingestion_log") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("team_id", .integer).notNull()
                table.column("uuid", .text).notNull()
                table.column("distinct_id", .text).notNull()
                table.column("payload", .blob).notNull()
            }
            try db.create(index: "ingestion_log_team", on: "ingestion_log", columns: ["team_id", "seq"])
            try db.create(table: "event") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("team_id", .integer).notNull()
                table.column("uuid", .text).notNull()
                table.column("event", .text).notNull()
                table.column("distinct_id", .text).notNull()
                table.column("timestamp", .text).notNull()
                table.column("properties", .text).notNull()
                table.column("data", .blob).notNull()
                table.uniqueKey(["team_id", "uuid"])
            }
            try db.create(index: "event_team_timestamp", on: "event", columns: ["team_id", "timestamp", "id"])
            try db.create(table: "dropped_event") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("team_id", .integer).notNull()
                table.column("uuid", .text).notNull()
                table.column("event", .text).notNull()
                table.column("distinct_id", .text).notNull()
                table.column("dropped_by", .text).notNull()
                table.column("created_at", .datetime).notNull()
                table.uniqueKey(["team_id", "uuid"])
            }
            try db.create(table: "plugin_log_entry") { table in
                table.column("id", .text).primaryKey()
                table.column("team_id", .integer).notNull()
                table.column("plugin_id", .integer).notNull()
                table.column("plugin_config_id", .integer).notNull()
                table.column("timestamp", .datetime).notNull()
                table.column("source", .text).notNull()
                table.column("type", .text).notNull()
                table.column("message", .text).notNull()
                table.column("instance_id", .text).notNull()
            }
            try db.create(
                index: "plugin_log_entry_config", on: "plugin_log_entry", columns: ["plugin_config_id", "timestamp"])
        }
    }

    /// Plugin files, versions and capabilities (issue 8).
    static func registerManagementMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3: plugin files and versions") { db in
            try db.alter(table: "plugin") { table in
                table.add(column: "tag", .text)
                table.add(column: "latest_tag", .text)
                table.add(column: "latest_tag_checked_at", .datetime)
                table.add(column: "capabilities", .text).notNull().defaults(to: "{}")
                table.add(column: "public_jobs", .text).notNull().defaults(to: "{}")
            }
            try db.create(table: "plugin_source_file") { table in
                table.column("plugin_id", .integer).notNull().references("plugin", onDelete: .cascade)
                table.column("filename", .text).notNull()
                table.column("content", .blob).notNull()
                table.primaryKey(["plugin_id", "filename"])
            }
        }
    }

    /// The durable work queue of onEvent, exports and jobs (issue 4).
    static func registerWorkQueueMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4: work queue") { db in
            try db.create(table: "work_item") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("kind", .text).notNull()
                table.column("plugin_config_id", .integer).notNull()
                table.column("team_id", .integer).notNull()
                table.column("payload", .blob).notNull()
                table.column("run_at", .datetime).notNull()
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("status", .text).notNull().defaults(to: "pending")
                table.column("lease_until", .datetime)
                table.column("last_error", .text)
                table.column("created_at", .datetime).notNull()
            }
            try db.create(index: "work_item_due", on: "work_item", columns: ["status", "run_at"])
            try db.create(index: "work_item_config", on: "work_item", columns: ["plugin_config_id", "kind", "status"])
        }
    }

    /// Scheduled task runs: one per config, task and boundary across instances (issue 4).
    static func registerScheduleMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5: scheduled runs") { db in
            try db.create(table: "scheduled_run") { table in
                table.column("plugin_config_id", .integer).notNull()
                table.column("task", .text).notNull()
                table.column("boundary", .datetime).notNull()
                table.column("started_at", .datetime).notNull()
                table.column("finished_at", .datetime)
                table.column("outcome", .text).notNull()
                table.column("error", .text)
                table.primaryKey(["plugin_config_id", "task", "boundary"])
            }
        }
    }

    /// Plugin-seconds per team, config and hour, for billing (issue 7).
    static func registerPluginUsageMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6: plugin usage") { db in
            try db.create(table: "plugin_usage") { table in
                table.column("team_id", .integer).notNull()
                table.column("plugin_config_id", .integer).notNull()
                table.column("hour", .datetime).notNull()
                table.column("seconds", .double).notNull()
                table.column("calls", .integer).notNull()
                table.primaryKey(["team_id", "plugin_config_id", "hour"])
            }
        }
    }

    /// The work queue found by config: leasing seeks each config with pending items instead of scanning
    /// every due item, so a paused config's backlog doesn't slow the others (issue 4). Buffered export
    /// events get a status of their own, off the leasing paths.
    static func registerWorkQueueByConfigMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7: work queue by config") { db in
            try db.execute(sql: "UPDATE work_item SET status = 'buffered' WHERE kind = 'export_event'")
            try db.create(index: "work_item_config_due", on: "work_item", columns: ["status", "plugin_config_id", "run_at"])
        }
    }
}

extension SQLiteDatabase {
    /// Hostile input (issue 12): what ingestion corrected, per project, type and hour; how many times the
    /// process died while each logged event was in flight (and which in-flight mark counted it last, so a
    /// recovery that is itself interrupted never counts one death twice); and the quarantine of events that
    /// were in flight at two deaths.
    static func registerPoisonEventMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8: ingestion warnings and quarantine") { db in
            try db.create(table: "ingestion_warning") { table in
                table.column("team_id", .integer).notNull()
                table.column("type", .text).notNull()
                table.column("hour", .datetime).notNull()
                table.column("count", .integer).notNull()
                table.column("last_seen", .datetime).notNull()
                table.column("last_details", .text).notNull()
                table.primaryKey(["team_id", "type", "hour"])
            }
            try db.alter(table: "ingestion_log") { table in
                table.add(column: "crashes", .integer).notNull().defaults(to: 0)
                table.add(column: "crash_mark", .integer)
            }
            try db.create(table: "quarantined_event") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("team_id", .integer).notNull()
                table.column("uuid", .text).notNull()
                table.column("distinct_id", .text).notNull()
                table.column("payload", .blob).notNull()
                table.column("crashes", .integer).notNull()
                table.column("quarantined_at", .datetime).notNull()
            }
            try db.create(index: "quarantined_event_team", on: "quarantined_event", columns: ["team_id", "id"])
        }
    }
}

extension SQLiteDatabase {
    /// When each logged event was accepted, so the age of the oldest tells whether processing keeps up (issue 14).
    static func registerBacklogMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9: ingestion log acceptance time") { db in
            try db.alter(table: "ingestion_log") { table in
                table.add(column: "accepted_at", .double)
            }
        }
    }
}

extension SQLiteDatabase {
    /// Session recordings (issue 22): whether a project records (PostHog's `team.session_recording_opt_in`), and
    /// each event's `properties.$session_id` in a column of its own, so the events API lists a session's events
    /// without reading every event's properties. Events stored before get theirs from their properties; the
    /// capture side keeps only strings of 1 to 200 characters, and so does this.
    static func registerSessionRecordingMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10: session recordings") { db in
            try db.alter(table: "team") { table in
                table.add(column: "session_recording_opt_in", .boolean).notNull().defaults(to: false)
            }
            try db.alter(table: "event") { table in
                table.add(column: "session_id", .text)
            }
            // CASE evaluates lazily: json_type runs only on properties SQLite can read.
            try db.execute(
                sql: """
                    UPDATE event SET session_id = CASE WHEN json_valid(properties) THEN
                        CASE WHEN json_type(properties, '$."$session_id"') = 'text' THEN json_extract(properties, '$."$session_id"') END
                    END
                    WHERE instr(properties, '"$session_id"') > 0;
                    UPDATE event SET session_id = NULL WHERE length(session_id) NOT BETWEEN 1 AND 200;
                    """)
            try db.execute(
                sql: """
                    CREATE INDEX event_team_session ON event (team_id, session_id, timestamp, id) WHERE session_id IS NOT NULL
                    """)
        }
    }
}

extension SQLiteDatabase {
    /// Action webhooks and REST hook subscriptions (issue 19). A REST hook on an action webhook goes with it.
    static func registerHookMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11: action webhooks and REST hooks") { db in
            try db.create(table: "action_webhook") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("team_id", .integer).notNull().indexed().references("team", onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("enabled", .boolean).notNull()
                table.column("event", .text)
                table.column("property_filters", .text).notNull()
                table.column("service", .text).notNull()
                table.column("url", .text).notNull()
                table.column("message_format", .text).notNull()
                table.column("created_at", .datetime).notNull()
            }
            try db.create(table: "rest_hook") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("team_id", .integer).notNull().indexed().references("team", onDelete: .cascade)
                table.column("target", .text).notNull()
                table.column("event", .text).notNull()
                table.column("resource_id", .integer).references("action_webhook", onDelete: .cascade)
                table.column("created_at", .datetime).notNull()
            }
        }
    }
}
