import Foundation
import OrderedJSON
import Storage

/// The message an action webhook posts about an event: PostHog's template (`[event.name]`,
/// `[person]`, `[event.properties.$current_url]`, …) filled in, in the payload shape of its service.
///
/// Quill keeps no persons: a person's properties are those the event sets (`$set`), and their name is
/// the first of its `email`, `name` and `username`, else the event's `distinct_id`, as PostHog names persons.
struct ActionWebhookMessage {
    static let defaultFormat = "[action.name] was triggered by [person]"

    let webhook: ActionWebhook
    /// The processed event, as the work queue holds it.
    let event: JSONObject

    /// The request body, as JSON.
    var payload: JSONValue {
        let (text, markdown) = rendered
        switch webhook.settings.service {
        case .slack:
            // Slack shows `text` in notifications and the mrkdwn block in the channel.
            return [
                "text": .string(text),
                "blocks": [["type": "section", "text": ["type": "mrkdwn", "text": .string(markdown)]]],
            ]
        case .discord:
            return ["content": .string(markdown)]
        case .teams:
            return ["text": .string(markdown)]
        case .json:
            return [
                "text": .string(text),
                "event": HookDeliveries.eventData(event),
                "action": ["id": JSONValue(webhook.id), "name": .string(webhook.settings.name)],
            ]
        }
    }

    /// The message as plain text and as the service's markdown (with links), as PostHog's `getFormattedMessage`:
    /// each `[token]` is replaced; a template with a token it doesn't know becomes an error message instead.
    var rendered: (text: String, markdown: String) {
        let format = webhook.settings.messageFormat.isEmpty ? Self.defaultFormat : webhook.settings.messageFormat
        var text = ""
        var markdown = ""
        var rest = Substring(format)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            text += rest[..<open]
            markdown += rest[..<open]
            guard let value = value(of: rest[rest.index(after: open)..<close]) else {
                let (name, link) = (webhook.settings.name, self.link(webhook.settings.name, to: actionURL))
                return (
                    "⚠ Error: There are one or more formatting errors in the message template for action \"\(name)\".",
                    "*⚠ Error: There are one or more formatting errors in the message template for action \"\(link)\".*"
                )
            }
            text += value.text
            markdown += value.markdown
            rest = rest[rest.index(after: close)...]
        }
        return (text + rest, markdown + rest)
    }

    /// A token's value as text and as markdown; `nil` for a token PostHog doesn't know.
    private func value(of token: Substring) -> (text: String, markdown: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let properties = event["properties"]?.objectValue ?? JSONObject()
        func plain(_ value: String) -> (text: String, markdown: String) { (escaped(value), escaped(value)) }
        switch (parts.first, parts.count > 1 ? parts[1] : nil) {
        case ("action", "name"):
            return (escaped(webhook.settings.name), link(webhook.settings.name, to: actionURL))
        case ("action", "link"):
            return plain(actionURL)
        case ("event", nil):
            return (escaped(eventName), link(eventName, to: eventURL))
        case ("event", "link"):
            return plain(eventURL)
        case ("event", "uuid"):
            return plain(event["uuid"]?.stringValue ?? "")
        case ("event", "name"), ("event", "event"):
            return plain(eventName)
        case ("event", "timestamp"):
            return plain(event["timestamp"]?.stringValue ?? "")
        case ("event", "distinct_id"):
            return plain(distinctID)
        case ("event", "properties") where parts.count > 2:
            return plain(Self.stringified(properties[parts[2...].joined(separator: ".")]))
        case ("person", nil), ("user", "name"):
            return (escaped(personName), link(personName, to: personURL))
        case ("person", "link"):
            return plain(personURL)
        case ("person", "properties") where parts.count > 2:
            return plain(Self.stringified(personProperties[parts[2...].joined(separator: ".")]))
        case ("user", let name?):
            // PostHog's deprecated `[user.X]`: the event's `$X` property.
            return plain(Self.stringified(properties["$" + name]))
        default:
            return nil
        }
    }

    private var eventName: String { event["event"]?.stringValue ?? "" }
    private var distinctID: String { event["distinct_id"].map(EventPropertyFilter.text) ?? "" }
    private var personProperties: JSONObject { event["properties"]?["$set"]?.objectValue ?? JSONObject() }

    private var personName: String {
        for key in ["email", "name", "username"] {
            if let name = personProperties[key]?.stringValue, !name.isEmpty { return name }
        }
        return distinctID
    }

    /// Where the event was captured: capture records the address it was sent to.
    private var siteURL: String {
        let site = event["site_url"]?.stringValue ?? ""
        return site.hasSuffix("/") ? String(site.dropLast()) : site
    }

    private var teamID: String { event["team_id"].map(EventPropertyFilter.text) ?? String(webhook.teamID) }
    private var actionURL: String { "\(siteURL)/ui/#/webhooks" }
    private var personURL: String { "\(siteURL)/api/projects/\(teamID)/events/?distinct_id=\(Self.queryEncoded(distinctID))" }
    private var eventURL: String { "\(personURL)&event=\(Self.queryEncoded(eventName))" }

    private static func queryEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// A link in the service's markdown: Slack's `<url|text>`, everyone else's `[text](url)`.
    private func link(_ text: String, to url: String) -> String {
        webhook.settings.service == .slack ? "<\(url)|\(escaped(text))>" : "[\(text)](\(url))"
    }

    /// Slack reads `&`, `<` and `>` as markup.
    private func escaped(_ text: String) -> String {
        guard webhook.settings.service == .slack else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// As PostHog writes a property into a message: strings as they are, a missing one as `undefined`, others as JSON.
    private static func stringified(_ value: JSONValue?) -> String {
        guard let value else { return "undefined" }
        return EventPropertyFilter.text(of: value)
    }
}
