import Foundation
import OrderedJSON
import Storage

/// Reads an action webhook as the API takes it, refusing what it could not deliver with a message that says why.
enum ActionWebhookInput {
    static let fields: Set<String> = ["name", "enabled", "event", "property_filters", "service", "url", "message_format"]

    /// The settings a create (`current` nil) or a change (`current`, with the fields given replacing its own) asks for.
    static func settings(from body: JSONObject, updating current: ActionWebhook.Settings?) throws -> ActionWebhook.Settings {
        try refuseUnknownFields(in: body, known: fields)
        func given(_ key: String) -> JSONValue? { body[key] }
        /// A field a create must have: missing, it reads as null and is refused as null would be.
        func required(_ key: String) -> JSONValue? {
            if let value = body[key] { return value }
            return current == nil ? .some(.null) : .none
        }

        let name: String
        if let value = required("name") {
            guard let text = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, text.count <= 400 else {
                throw APIError.invalidInput("'name' must be a name of 1 to 400 characters.", attribute: "name")
            }
            name = text
        } else {
            name = current?.name ?? ""
        }

        let url: String
        if let value = required("url") {
            url = try Self.url(value, field: "url")
        } else {
            url = current?.url ?? ""
        }

        var enabled = current?.enabled ?? true
        if let value = given("enabled") {
            guard let flag = value.boolValue else { throw APIError.invalidInput("'enabled' must be true or false.", attribute: "enabled") }
            enabled = flag
        }

        var event = current?.event
        if let value = given("event") {
            switch value {
            case .null: event = nil
            case .string(let text) where !text.isEmpty && text.count <= 400: event = text
            default:
                throw APIError.invalidInput("'event' must be an event name, or null to match every event.", attribute: "event")
            }
        }

        var propertyFilters = current?.propertyFilters ?? "[]"
        if let value = given("property_filters") {
            do {
                _ = try EventPropertyFilter.list(value)
            } catch {
                throw APIError.invalidInput("'property_filters': \(error.description).", attribute: "property_filters")
            }
            propertyFilters = value.serializedString
        }

        var service = current?.service ?? Self.service(forURL: url)
        if let value = given("service") {
            guard let found = value.stringValue.flatMap(ActionWebhook.Service.init(rawValue:)) else {
                let names = ActionWebhook.Service.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.invalidInput("'service' must be one of \(names).", attribute: "service")
            }
            service = found
        }

        var messageFormat = current?.messageFormat ?? ""
        if let value = given("message_format") {
            switch value {
            case .null: messageFormat = ""
            case .string(let text) where text.count <= 4_000: messageFormat = text
            default:
                throw APIError.invalidInput(
                    "'message_format' must be a template of at most 4000 characters, like \"\(ActionWebhookMessage.defaultFormat)\".",
                    attribute: "message_format")
            }
        }
        return ActionWebhook.Settings(
            name: name, enabled: enabled, event: event, propertyFilters: propertyFilters, service: service, url: url,
            messageFormat: messageFormat)
    }

    /// A webhook address: an absolute http or https URL. Whether Quill may reach it is the fetch policy's to say when it sends.
    static func url(_ value: JSONValue?, field: String) throws -> String {
        guard let text = value?.stringValue, text.count <= 2_000, let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw APIError.invalidInput("'\(field)' must be an http or https URL, like https://hooks.slack.com/services/….", attribute: field)
        }
        return text
    }

    /// The service a URL's host names; a plain JSON webhook for any other.
    static func service(forURL url: String) -> ActionWebhook.Service {
        let host = URLComponents(string: url)?.host?.lowercased() ?? ""
        if host == "hooks.slack.com" { return .slack }
        if host.hasSuffix("discord.com") || host.hasSuffix("discordapp.com") { return .discord }
        if host.hasSuffix("webhook.office.com") || host.hasSuffix("logic.azure.com") { return .teams }
        return .json
    }

    static func refuseUnknownFields(in body: JSONObject, known: Set<String>) throws {
        if let unknown = body.keys.first(where: { !known.contains($0) }) {
            throw APIError.invalidInput(
                "Unknown field '\(unknown)'; the fields are \(known.sorted().joined(separator: ", ")).", attribute: unknown)
        }
    }
}
