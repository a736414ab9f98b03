public import Foundation

/// Where a project's alerts go: the addresses to email and a Slack-compatible webhook.
public struct AlertSettings: Sendable, Equatable {
    /// The organization's members to email; Quill keeps no user accounts, so the project lists them.
    public var emails: [String]
    /// A Slack-compatible incoming webhook (`{"text": …}`), or `nil`.
    public var webhookURL: String?

    public init(emails: [String] = [], webhookURL: String? = nil) {
        self.emails = emails
        self.webhookURL = webhookURL
    }
}

/// What went wrong with a plugin config, each alerted at most once an hour per config.
public enum AlertKind: String, Sendable, CaseIterable {
    /// Quill disabled the config itself: setupPlugin failed, or it kept breaching its memory or time limits.
    case disabled
    /// One of its deliveries or exports became a dead letter.
    case deadLetter = "dead_letter"
    /// Its calls failed at a rate past the threshold.
    case errorRate = "error_rate"
}

/// Projects' alert settings, and the alerts sent, so a restart doesn't send one again within its hour.
public protocol AlertStore: Sendable {
    func alertSettings(projectID: Int) async throws -> AlertSettings
    func setAlertSettings(_ settings: AlertSettings, projectID: Int) async throws
    /// Records an alert of `kind` for the config as sent at `now`, unless one was sent less than `interval` before.
    /// - Returns: Whether the alert may be sent.
    func claimAlert(pluginConfigID: Int, kind: AlertKind, now: Date, interval: TimeInterval) async throws -> Bool
}
