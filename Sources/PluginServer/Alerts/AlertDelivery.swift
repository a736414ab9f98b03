import Foundation
import OrderedJSON
import PluginRuntime

/// Sends one queued alert (``PluginAlerts``): an email through the SMTP relay, or a Slack-compatible webhook
/// (`{"text": …}`) through the same fetch policy plugins' webhooks go through, so a project can't make Quill
/// post to private addresses the operator didn't allow.
struct AlertDelivery: Sendable {
    let smtp: SMTPClient?
    let emailFrom: String
    let runtime: PluginRuntime

    /// An answer of 2xx or 3xx delivers a webhook; 408, 429, 5xx or none are retried; another 4xx is a refusal.
    /// A mail the relay refuses is retried too: relays refuse for a while (greylisting, a full queue).
    func deliver(_ payload: [UInt8]) async -> DeliveryOutcome {
        guard let alert = try? JSONValue.parse(payload), let text = alert["text"]?.stringValue else {
            return .failed("the alert item is malformed")
        }
        switch alert["channel"]?.stringValue {
        case "email":
            guard let smtp else { return .failed("no SMTP relay is set (QUILL_SMTP_URL)") }
            let recipients = alert["to"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let message = Self.email(
                from: emailFrom, to: recipients, subject: alert["subject"]?.stringValue ?? "[Quill] Plugin alert", text: text)
            do {
                try await smtp.send(from: emailFrom, to: recipients, message: message)
                return .succeeded
            } catch {
                return .retry("the alert email could not be sent: \(error)")
            }
        case "webhook":
            guard let url = alert["url"]?.stringValue else { return .failed("the alert item has no webhook URL") }
            let body = JSONValue.object(JSONObject([("text", .string(text))])).serialized()
            let request = PluginHTTPRequest(
                method: "POST", url: url, headers: [PluginHTTPHeader(name: "Content-Type", value: "application/json")], body: body)
            switch await runtime.sendWebhook(request) {
            case .success(let response) where response.status < 400: return .succeeded
            case .success(let response) where response.status == 408 || response.status == 429 || response.status >= 500:
                return .retry("the alert webhook to \(url) was answered \(response.status)")
            case .success(let response): return .failed("the alert webhook to \(url) was refused: \(response.status)")
            case .failure(let failure): return .retry("the alert webhook to \(url) failed: \(failure)")
            }
        default:
            return .failed("the alert item has no known channel")
        }
    }

    /// A plain-text email (RFC 5322), UTF-8, with header values kept to one line.
    static func email(from sender: String, to recipients: [String], subject: String, text: String) -> String {
        func oneLine(_ value: String) -> String { value.split(whereSeparator: \.isNewline).joined(separator: " ") }
        let encodedSubject =
            subject.allSatisfy(\.isASCII)
            ? oneLine(subject) : "=?utf-8?B?\(Data(oneLine(subject).utf8).base64EncodedString())?="
        let date = DateFormatter()
        date.locale = Locale(identifier: "en_US_POSIX")
        date.timeZone = TimeZone(identifier: "UTC")
        date.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = sender.split(separator: "@").last.map(String.init) ?? "localhost"
        return """
            From: Quill <\(oneLine(sender))>
            To: \(recipients.map(oneLine).joined(separator: ", "))
            Subject: \(encodedSubject)
            Date: \(date.string(from: Date()))
            Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            \(text)
            """
    }
}
