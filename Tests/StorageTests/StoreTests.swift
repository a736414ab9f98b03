import Foundation
import QuillTestSupport
import Storage
import Testing

/// Every store behaves the same on SQLite and on PostgreSQL.
@Suite struct StoreTests {
    @Test(arguments: BackendKind.allCases)
    func projectsKeysAndSessionRecording(backend: BackendKind) async throws {
        let open = try await backend.open()
        let projects = open.storage.projects
        let first = try #require(try await projects.bootstrap(projectAPIToken: "phc_a", personalAPIKeyHash: "hash-a", personalAPIKeyMask: "a…"))
        #expect(try await projects.bootstrap(projectAPIToken: "phc_b", personalAPIKeyHash: "hash-b", personalAPIKeyMask: "b…") == nil)
        let other = try await projects.createOrganization(
            name: "Other", projectAPIToken: "phc_other", personalAPIKeyHash: "hash-o", personalAPIKeyMask: "o…")
        #expect(try await projects.project(apiToken: "phc_a") == first)
        #expect(try await projects.project(id: other.id)?.apiToken == "phc_other")
        #expect(try await projects.projects(organizationID: other.organizationID) == [other])
        #expect(try await projects.organizationID(personalAPIKeyHash: "hash-o") == other.organizationID)
        #expect(try await projects.organizationID(personalAPIKeyHash: "nope") == nil)
        #expect(try await projects.setSessionRecordingOptIn(true, projectID: first.id)?.sessionRecordingOptIn == true)
        #expect(try await projects.setSessionRecordingOptIn(true, projectID: 999) == nil)
    }

    @Test(arguments: BackendKind.allCases)
    func pluginsConfigsAttachmentsAndAdoption(backend: BackendKind) async throws {
        let open = try await backend.open()
        let project = try #require(try await open.storage.projects.bootstrap(projectAPIToken: "phc", personalAPIKeyHash: "h", personalAPIKeyMask: "m"))
        let plugins = open.storage.plugins
        let contents = PluginContents(
            pluginType: "source", name: "Hello", configSchema: "[]", capabilities: #"{"methods":["processEvent"],"scheduled_tasks":[],"jobs":[]}"#,
            transpiledCode: "exports.processEvent = e => e", files: ["index.js": Data("x".utf8), "plugin.json": Data("{}".utf8)])
        let pluginID = try await plugins.install(contents, organizationID: project.organizationID)
        #expect(try await plugins.files(pluginID: pluginID) == contents.files)
        #expect(try await plugins.transpiledCode(pluginID: pluginID) == contents.transpiledCode)
        var updated = contents
        updated.transpiledCode = "exports.processEvent = e => null"
        updated.files = ["index.js": Data("y".utf8)]
        try await plugins.update(pluginID: pluginID, with: updated)
        #expect(try await plugins.files(pluginID: pluginID) == updated.files)
        try await plugins.setLatestTag("v2", pluginID: pluginID)
        #expect(try await plugins.plugin(id: pluginID)?.latestTag == "v2")
        #expect(try await plugins.plugins(organizationID: project.organizationID).map(\.name) == ["Hello"])

        let configID = try await plugins.createPluginConfig(teamID: project.id, pluginID: pluginID, order: 2, config: ["a": "1"], enabled: true)
        let second = try await plugins.createPluginConfig(teamID: project.id, pluginID: pluginID, order: 1, config: [:], enabled: false)
        #expect(try await plugins.pluginConfigs(teamID: project.id).map(\.id) == [second, configID], "by order")
        try await plugins.setAttachment(
            PluginAttachment(contentType: "text/csv", fileName: "a.csv", contents: Data("1,2".utf8)), key: "file", pluginConfigID: configID)
        #expect(try await plugins.pluginConfig(id: configID)?.attachments["file"] == AttachmentSummary(contentType: "text/csv", fileName: "a.csv", size: 3))
        let enabled = try await plugins.enabledPluginConfigs()
        #expect(enabled.map(\.id) == [configID])
        #expect(enabled.first?.attachments["file"]?.contents == Data("1,2".utf8))
        #expect(enabled.first?.capabilities?.methods == ["processEvent"])
        #expect(try await plugins.enabledPluginConfig(id: second) == nil)

        try await plugins.updatePluginConfig(id: second, enabled: true, order: nil, config: ["b": "2"])
        let changed = try #require(try await plugins.pluginConfig(id: second))
        #expect(changed.enabled && changed.order == 1 && changed.config == ["b": "2"])
        try await plugins.disablePluginConfig(id: second, errorMessage: "broke")
        let disabled = try #require(try await plugins.pluginConfig(id: second))
        #expect(!disabled.enabled && disabled.error?.contains("broke") == true)
        try await plugins.updatePluginConfig(id: second, enabled: true, order: 5, config: nil)
        #expect(try await plugins.pluginConfig(id: second)?.error == nil, "enabling clears the error")

        let adoption = try await plugins.pluginAdoption(organizationID: nil)
        #expect(adoption.map(\.name) == ["Hello"] && adoption.first?.enabledProjects == 1 && adoption.first?.installations == 1)
        #expect(try await plugins.pluginAdoption(organizationID: 999).isEmpty)

        try await plugins.deletePluginConfig(id: configID)
        #expect(try await plugins.pluginConfig(id: configID) == nil)
        try await plugins.deletePlugin(id: pluginID)
        #expect(try await plugins.allPluginConfigs().isEmpty, "a plugin's configs go with it")
    }

    @Test(arguments: BackendKind.allCases)
    func pluginLogsAreWrittenOnFlushQueriedAndPruned(backend: BackendKind) async throws {
        let open = try await backend.open(limits: StoreLimits(pluginLogEntriesPerConfig: 20))
        let logs = open.storage.pluginLogs
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let instance = UUID()
        for index in 0..<50 {
            logs.append(
                PluginLogEntry(
                    teamID: 1, pluginID: 1, pluginConfigID: 3, timestamp: start + Double(index), source: .console,
                    type: index.isMultiple(of: 2) ? .info : .error, message: "line \(index)", instanceID: instance))
        }
        #expect(try await open.storage.plugins.logEntries(PluginLogQuery(pluginConfigID: 3)).isEmpty, "not before a flush")
        try await logs.flush()
        let kept = try await open.storage.plugins.logEntries(PluginLogQuery(pluginConfigID: 3))
        #expect(kept.count == 20 && kept.first?.message == "line 49", "the newest 20, newest first")
        var errors = PluginLogQuery(pluginConfigID: 3)
        errors.types = [.error]
        errors.search = "LINE 4"
        #expect(try await open.storage.plugins.logEntries(errors).map(\.message) == ["line 49", "line 47", "line 45", "line 43", "line 41"])
    }

    @Test(arguments: BackendKind.allCases)
    func pluginStorageValuesCursorsAndBounds(backend: BackendKind) async throws {
        let open = try await backend.open(limits: StoreLimits(pluginStorage: PluginStorageLimits(maximumKeysPerConfig: 2)))
        let storage = open.storage.pluginStorage
        try await storage.setValue(#"{"a":1}"#, forKey: "k1", pluginConfigID: 1)
        try await storage.setValue("2", forKey: "k2", pluginConfigID: 1)
        try await storage.setValue("3", forKey: "k2", pluginConfigID: 1)
        #expect(try await storage.value(forKey: "k2", pluginConfigID: 1) == "3")
        await #expect(throws: PluginStorageError.self) { try await storage.setValue("4", forKey: "k3", pluginConfigID: 1) }
        try await storage.setValue("4", forKey: "k3", pluginConfigID: 2)
        try await storage.removeValue(forKey: "k1", pluginConfigID: 1)
        #expect(try await storage.value(forKey: "k1", pluginConfigID: 1) == nil)

        try await storage.initializeCursor("c", to: 10, pluginConfigID: 1)
        try await storage.initializeCursor("c", to: 99, pluginConfigID: 1)
        #expect(try await storage.incrementCursor("c", by: 5, pluginConfigID: 1) == 15)
        #expect(try await storage.incrementCursor("d", by: 1, pluginConfigID: 1) == 1)
        await #expect(throws: PluginStorageError.self) { try await storage.incrementCursor("e", by: 1, pluginConfigID: 1) }
    }

    @Test(arguments: BackendKind.allCases)
    func usageAddsUpSchedulesClaimOnceAlertsClaimOncePerInterval(backend: BackendKind) async throws {
        let open = try await backend.open()
        let hour = Date(timeIntervalSince1970: 1_800_000_000)
        try await open.storage.pluginUsage.add([PluginUsage(teamID: 1, pluginConfigID: 2, hour: hour, seconds: 1.5, calls: 3)])
        try await open.storage.pluginUsage.add([PluginUsage(teamID: 1, pluginConfigID: 2, hour: hour, seconds: 0.5, calls: 1)])
        #expect(try await open.storage.pluginUsage.usage(teamID: 1, since: hour - 1) == [PluginUsage(teamID: 1, pluginConfigID: 2, hour: hour, seconds: 2, calls: 4)])

        let schedules = open.storage.schedules
        #expect(try await schedules.claim(pluginConfigID: 2, task: "runEveryMinute", boundary: hour, now: hour, staleBefore: hour - 60) == .running)
        #expect(try await schedules.claim(pluginConfigID: 2, task: "runEveryMinute", boundary: hour, now: hour, staleBefore: hour - 60) == nil)
        #expect(try await schedules.claim(pluginConfigID: 2, task: "runEveryMinute", boundary: hour + 60, now: hour + 60, staleBefore: hour - 1) == .skipped)
        try await schedules.finish(pluginConfigID: 2, task: "runEveryMinute", boundary: hour, at: hour + 1, outcome: .succeeded, error: nil)
        #expect(try await schedules.runs(pluginConfigID: 2, limit: 10).map(\.outcome) == [.skipped, .succeeded])

        let alerts = open.storage.alerts
        try await alerts.setAlertSettings(AlertSettings(emails: ["a@example.com"], webhookURL: "https://hooks.example/x"), projectID: 1)
        #expect(try await alerts.alertSettings(projectID: 1) == AlertSettings(emails: ["a@example.com"], webhookURL: "https://hooks.example/x"))
        #expect(try await alerts.alertSettings(projectID: 2) == AlertSettings())
        #expect(try await alerts.claimAlert(pluginConfigID: 2, kind: .disabled, now: hour, interval: 3600))
        #expect(try await !alerts.claimAlert(pluginConfigID: 2, kind: .disabled, now: hour + 60, interval: 3600))
        #expect(try await alerts.claimAlert(pluginConfigID: 2, kind: .disabled, now: hour + 3600, interval: 3600))
    }

    @Test(arguments: BackendKind.allCases)
    func hooksFollowTheirProject(backend: BackendKind) async throws {
        let open = try await backend.open()
        let project = try #require(try await open.storage.projects.bootstrap(projectAPIToken: "phc", personalAPIKeyHash: "h", personalAPIKeyMask: "m"))
        let hooks = open.storage.hooks
        let settings = ActionWebhook.Settings(
            name: "Signups", enabled: true, event: "signup", propertyFilters: "[]", service: .slack, url: "https://hooks.example/s",
            messageFormat: "[event] by [person]")
        let webhook = try await hooks.createActionWebhook(teamID: project.id, settings: settings)
        #expect(try await hooks.actionWebhooks(teamID: project.id).map(\.id) == [webhook.id])
        #expect(try await hooks.actionWebhook(id: webhook.id, teamID: project.id + 1) == nil, "another project's")
        var renamed = settings
        renamed.name = "Sign-ups"
        #expect(try await hooks.updateActionWebhook(id: webhook.id, teamID: project.id, settings: renamed)?.settings.name == "Sign-ups")
        #expect(try await hooks.updateActionWebhook(id: 999, teamID: project.id, settings: renamed) == nil)
        let hook = try await hooks.createRestHook(teamID: project.id, target: "https://zap.example/1", event: "action_performed", resourceID: webhook.id)
        #expect(try await hooks.restHook(id: hook.id, teamID: project.id)?.target == hook.target)
        #expect(try await hooks.deleteActionWebhook(id: webhook.id, teamID: project.id))
        #expect(try await hooks.restHooks(teamID: project.id).isEmpty, "a REST hook on an action webhook goes with it")
        #expect(try await !hooks.deleteRestHook(id: hook.id, teamID: project.id))
    }

    /// Several instances starting at once on an empty PostgreSQL database: one migrates, the others find it done.
    @Test func instancesStartingTogetherMigrateOnce() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let backends = try await withThrowingTaskGroup(of: (any StorageBackend).self) { group in
            for _ in 0..<4 { group.addTask { try await BackendKind.postgresBackend(url: url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for backend in backends {
                group.addTask {
                    try await backend.projects.bootstrap(
                        projectAPIToken: "phc_\(UUID().uuidString)", personalAPIKeyHash: UUID().uuidString, personalAPIKeyMask: "m") != nil
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 1, "one default project, not one per instance")
        for backend in backends { await backend.close() }
    }
}
