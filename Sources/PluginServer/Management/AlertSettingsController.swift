import Foundation
import Hummingbird
import OrderedJSON
import Storage

/// `GET/PATCH /api/projects/:project_id/alert_settings/`: where the project's plugin alerts go (``PluginAlerts``).
struct AlertSettingsController: Sendable {
    let authenticator: ManagementAuthenticator
    let store: any AlertStore
    /// Whether the server has an SMTP relay (`QUILL_SMTP_URL`), without which no email goes out.
    let emailConfigured: Bool

    static let maximumEmails = 50

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/projects/:project_id/alert_settings", summary: "Where the project's plugin alerts go",
                tag: .projects, answers: [.json("AlertSettings")], errors: [.notFound], handler: show),
            ManagementRoute(
                .patch, "api/projects/:project_id/alert_settings",
                summary: "Set the addresses and the Slack-compatible webhook plugin alerts go to", tag: .projects,
                body: [.json("AlertSettingsUpdate")], bodyRequired: true, answers: [.json("AlertSettings")],
                errors: [.badRequest, .notFound], handler: update),
        ]
    }

    private func show(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        return Response.json(json(of: try await store.alertSettings(projectID: project.id)))
    }

    private func update(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let body = try await ManagementRequest.jsonObject(request)
        var settings = try await store.alertSettings(projectID: project.id)
        for (field, value) in body {
            switch field {
            case "alert_emails":
                guard let list = value.arrayValue, list.count <= Self.maximumEmails else {
                    throw APIError.invalidInput("'alert_emails' must be a list of at most \(Self.maximumEmails) email addresses.", attribute: field)
                }
                settings.emails = try list.map { item in
                    guard let address = item.stringValue, Self.isEmailAddress(address) else {
                        throw APIError.invalidInput("'alert_emails' has \(item.serializedString), which is not an email address.", attribute: field)
                    }
                    return address
                }
            case "alert_webhook_url":
                if value == .null || value == "" {
                    settings.webhookURL = nil
                } else {
                    guard let text = value.stringValue, let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased()),
                        url.host?.isEmpty == false, text.count <= 2_048
                    else {
                        throw APIError.invalidInput("'alert_webhook_url' must be an http or https URL, or null.", attribute: field)
                    }
                    settings.webhookURL = text
                }
            default:
                throw APIError.invalidInput(
                    "'\(field)' can't be changed here; only alert_emails and alert_webhook_url can.", attribute: field)
            }
        }
        try await store.setAlertSettings(settings, projectID: project.id)
        return Response.json(json(of: settings))
    }

    private func json(of settings: AlertSettings) -> JSONValue {
        [
            "alert_emails": .array(settings.emails.map(JSONValue.string)),
            "alert_webhook_url": settings.webhookURL.map(JSONValue.string) ?? .null,
            "email_configured": JSONValue(emailConfigured),
        ]
    }

    /// One `local@domain` address, nothing that could break a mail header or the SMTP conversation.
    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && text.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0.value < 127 && !"<>(),;:\\\"[]".unicodeScalars.contains($0) }
    }
}
