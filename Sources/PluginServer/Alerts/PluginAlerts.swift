import Foundation
import Logging
import OrderedJSON
import PluginRuntime
import Storage
import Synchronization

/// Tells a project when one of its plugin configs breaks: Quill disabled it, its work dead-lettered, or its
/// calls keep failing. Each alert is queued as durable work (``AlertDelivery`` sends it, with retries): an email
/// to the project's alert addresses when SMTP is set up, and a Slack-compatible webhook when the project has one.
/// At most one alert per config and kind goes out an hour, counted in the database so a restart doesn't repeat it.
final class PluginAlerts: Sendable {
    static let interval: TimeInterval = 3_600

    private let store: any AlertStore
    private let plugins: any PluginStore
    private let projects: any ProjectStore
    private let workQueue: any WorkQueueStore
    private let emailEnabled: Bool
    private let logger: Logger
    private let queued: @Sendable () -> Void
    /// The web UI's address for links; known once the server listens, unless `QUILL_SITE_URL` says it.
    private let siteURL: Mutex<String>

    /// - Parameter queued: Told when alerts were queued, to wake the work queue.
    init(
        store: any AlertStore, plugins: any PluginStore, projects: any ProjectStore, workQueue: any WorkQueueStore,
        emailEnabled: Bool, siteURL: String?, logger: Logger, queued: @escaping @Sendable () -> Void
    ) {
        self.store = store
        self.plugins = plugins
        self.projects = projects
        self.workQueue = workQueue
        self.emailEnabled = emailEnabled
        self.siteURL = Mutex(siteURL ?? "http://localhost")
        self.logger = logger
        self.queued = queued
    }

    /// The address the server listens on, for links, when `QUILL_SITE_URL` isn't set.
    func serverStarted(url: String, configured: Bool) {
        if !configured { siteURL.withLock { $0 = url } }
    }

    /// Queues the alert of `kind` for the config, unless its project has nowhere to send it or one went out within the hour.
    func raise(_ kind: AlertKind, pluginConfigID: Int, error: String) async {
        do {
            guard let config = try await plugins.pluginConfig(id: pluginConfigID),
                let project = try await projects.project(id: config.teamID)
            else { return }
            let pluginName = try await plugins.plugin(id: config.pluginID)?.name ?? "plugin \(config.pluginID)"
            let settings = try await store.alertSettings(projectID: project.id)
            let emails = emailEnabled ? settings.emails : []
            guard !emails.isEmpty || settings.webhookURL != nil else { return }
            guard try await store.claimAlert(pluginConfigID: pluginConfigID, kind: kind, now: Date(), interval: Self.interval)
            else { return }
            let message = AlertMessage(
                kind: kind, pluginName: pluginName, pluginConfigID: pluginConfigID, project: project, error: error,
                logsURL: "\(siteURL.withLock { $0 })/ui/#/configs/\(pluginConfigID)/logs")
            var payloads: [JSONValue] = []
            if !emails.isEmpty {
                payloads.append([
                    "channel": "email", "to": .array(emails.map(JSONValue.string)), "subject": .string(message.subject),
                    "text": .string(message.text),
                ])
            }
            if let url = settings.webhookURL {
                payloads.append(["channel": "webhook", "url": .string(url), "text": .string(message.subject + "\n" + message.text)])
            }
            try await workQueue.enqueue(
                payloads.map {
                    NewWorkItem(kind: .alert, pluginConfigID: pluginConfigID, teamID: project.id, payload: $0.serialized(), runAt: Date())
                })
            queued()
        } catch {
            logger.error(
                "Could not queue a plugin alert",
                metadata: ["plugin_config.id": "\(pluginConfigID)", "alert.kind": "\(kind.rawValue)", "error": "\(error)"])
        }
    }
}

/// An alert's words: a subject naming the plugin and project, and a plain-text body with the error and the logs' link.
struct AlertMessage {
    let kind: AlertKind
    let pluginName: String
    let pluginConfigID: Int
    let project: Project
    let error: String
    let logsURL: String

    var subject: String {
        switch kind {
        case .disabled: "[Quill] Plugin \"\(pluginName)\" was disabled in project \"\(project.name)\""
        case .deadLetter: "[Quill] Plugin \"\(pluginName)\" could not deliver in project \"\(project.name)\""
        case .errorRate: "[Quill] Plugin \"\(pluginName)\" keeps failing in project \"\(project.name)\""
        }
    }

    var text: String {
        let what =
            switch kind {
            case .disabled:
                "Quill disabled the plugin \"\(pluginName)\" (plugin config \(pluginConfigID)) in the project \"\(project.name)\" (id \(project.id)). It processes no events until it is enabled again."
            case .deadLetter:
                "Work of the plugin \"\(pluginName)\" (plugin config \(pluginConfigID)) in the project \"\(project.name)\" (id \(project.id)) failed after its last retry and became a dead letter: it is kept, not delivered, until it is replayed."
            case .errorRate:
                "The plugin \"\(pluginName)\" (plugin config \(pluginConfigID)) in the project \"\(project.name)\" (id \(project.id)) fails most of its calls."
            }
        let next =
            switch kind {
            case .disabled: "Fix the cause (its configuration, or the service it calls), then enable it again on its page in the web UI."
            case .deadLetter: "Once the cause is fixed, replay its dead letters from its page in the web UI or with POST /api/projects/\(project.id)/plugin_configs/\(pluginConfigID)/dead_letters/replay/."
            case .errorRate: "Its logs say which calls fail and why."
            }
        return """
            \(what)

            Error: \(error)

            Its logs: \(logsURL)

            \(next)

            Quill sends at most one alert like this an hour for this plugin config.
            """
    }
}
