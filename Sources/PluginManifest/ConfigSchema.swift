/// One element of plugin.json's `config`: a field a user fills in, or a markdown-only note.
public struct ConfigField: Sendable, Equatable {
    public enum FieldType: Sendable, Equatable {
        case string, json, attachment, choice
        /// A type PostHog doesn't define; kept so nothing is lost, and validated like `string`.
        case other(String)

        init(_ name: String) {
            switch name {
            case "string": self = .string
            case "json": self = .json
            case "attachment": self = .attachment
            case "choice": self = .choice
            default: self = .other(name)
            }
        }
    }

    /// nil for a markdown-only element.
    public var key: String?
    public var name: String?
    /// nil for a markdown-only element; a keyed field without a `type` is a string field.
    public var type: FieldType?
    /// PostHog's defaults are strings; a non-string JSON default is kept as its JSON text.
    public var defaultValue: String?
    public var hint: String?
    public var markdown: String?
    /// Deprecated in PostHog; kept for plugins that still sort by it.
    public var order: Int?
    public var isRequired: Bool
    /// The value is write-only in the UI and API.
    public var isSecret: Bool
    public var choices: [String]
    /// The field is required when all of these match.
    public var requiredIf: [ConfigDependency]
    /// The field is shown, and can be required, only when all of these match.
    public var visibleIf: [ConfigDependency]
}

/// A condition on another field's value: `["key"]` asks for any non-empty value, `["key", "value"]` for that value.
public struct ConfigDependency: Sendable, Equatable {
    public var key: String
    public var value: String?
}

public struct ConfigValidationError: Error, Sendable, CustomStringConvertible {
    public struct FieldError: Sendable, Equatable {
        public var key: String
        public var message: String
    }

    public var fieldErrors: [FieldError]

    /// Every field error, e.g. "config 'bar': required value is missing; config 'mode': 'x' is not one of the choices: a, b".
    public var description: String {
        fieldErrors.map { "config '\($0.key)': \($0.message)" }.joined(separator: "; ")
    }
}

extension Array where Element == ConfigField {
    /// Validates values (all strings, as PostHog stores them) and returns the config a plugin sees:
    /// the given values plus defaults for unset keys. `attachmentKeys` are the attachment fields that have a file.
    ///
    /// Requirement follows PostHog's frontend: dependencies see defaults as its form does, a field hidden by
    /// `visible_if` is never required, and an empty string counts as missing. Every problem is collected before
    /// throwing, so a user can fix them all at once.
    ///
    /// - Parameter sealedKeys: Fields whose values are stored encrypted and can't be read here: they
    ///   count as filled in, and were checked when they were given.
    public func validate(
        _ values: [String: String], attachmentKeys: Set<String>, sealedKeys: Set<String> = []
    ) throws(ConfigValidationError) -> [String: String] {
        var config = values
        for field in self where field.type != .attachment {
            if let key = field.key, config[key] == nil, let defaultValue = field.defaultValue {
                config[key] = defaultValue
            }
        }
        func matches(_ dependency: ConfigDependency) -> Bool {
            let value = config[dependency.key] ?? ""
            guard let expected = dependency.value else { return !value.isEmpty || attachmentKeys.contains(dependency.key) }
            return value == expected
        }

        var errors: [ConfigValidationError.FieldError] = []
        for field in self {
            guard let key = field.key, let type = field.type else { continue }
            func fail(_ message: String) { errors.append(.init(key: key, message: message)) }
            let isRequired =
                field.visibleIf.allSatisfy(matches)
                && (field.isRequired || (!field.requiredIf.isEmpty && field.requiredIf.allSatisfy(matches)))
            let value = config[key] ?? ""
            switch type {
            case .attachment:
                if values[key] != nil {
                    fail("is an attachment: upload a file instead of giving a value")
                } else if isRequired && !attachmentKeys.contains(key) {
                    fail("required attachment is missing")
                }
            case _ where sealedKeys.contains(key):
                break
            // An empty value is only checked for being required; choices and JSON apply to what was filled in.
            case _ where value.isEmpty:
                if isRequired { fail("required value is missing") }
            case .choice where !field.choices.contains(value):
                fail("'\(value)' is not one of the choices: \(field.choices.joined(separator: ", "))")
            case .json:
                do {
                    _ = try ManifestJSON.parse([UInt8](value.utf8))
                } catch {
                    fail("is not valid JSON: \(error)")
                }
            case .string, .choice, .other:
                break
            }
        }
        if !isEmpty {
            let schemaKeys = Set(compactMap(\.key))
            for key in values.keys.sorted() where !schemaKeys.contains(key) {
                errors.append(.init(key: key, message: "no such field in plugin.json"))
            }
        }
        guard errors.isEmpty else { throw ConfigValidationError(fieldErrors: errors) }
        return config
    }
}

extension ConfigField {
    /// Reads `config` in either shape PostHog accepts: an object keyed by field key (old form) or an array.
    static func schema(from config: ManifestJSON?) throws(PluginManifestError) -> [ConfigField] {
        guard let config else { return [] }
        switch config.value {
        case .object(let members):
            var fields: [ConfigField] = []
            for member in members {
                let object = try ManifestObject(member.value, label: "config '\(member.key)'")
                fields.append(try ConfigField(object, key: member.key))
            }
            return fields
        case .array(let elements):
            var fields: [ConfigField] = []
            for (position, element) in elements.enumerated() {
                var object = try ManifestObject(element, label: "config[\(position)]")
                let key = try object.string("key")
                if key == nil, object["markdown"] == nil || object["type"] != nil {
                    throw object.error("'key' is missing")
                }
                if let key { object.label = "config '\(key)'" }
                fields.append(try ConfigField(object, key: key))
            }
            return fields
        default:
            throw PluginManifestError(description: "plugin.json: 'config' must be an object or an array")
        }
    }

    private init(_ object: ManifestObject, key: String?) throws(PluginManifestError) {
        self.key = key
        name = try object.string("name")
        type = try object.string("type").map(FieldType.init) ?? (key == nil ? nil : .string)
        switch object["default"]?.value {
        case nil: defaultValue = nil
        case .string(let string): defaultValue = string
        default: defaultValue = object["default"]?.text
        }
        hint = try object.string("hint")
        markdown = try object.string("markdown")
        order = try object.int("order")
        isRequired = try object.bool("required") ?? false
        isSecret = try object.bool("secret") ?? false
        choices = try Self.strings(object, "choices")
        if type == .choice && choices.isEmpty { throw object.error("type 'choice' needs 'choices'") }
        requiredIf = try Self.dependencies(object, "required_if")
        visibleIf = try Self.dependencies(object, "visible_if")
    }

    private static func strings(_ object: ManifestObject, _ key: String) throws(PluginManifestError) -> [String] {
        guard let json = object[key] else { return [] }
        guard case .array(let elements) = json.value else { throw object.error("'\(key)' must be an array of strings") }
        var strings: [String] = []
        for element in elements {
            guard case .string(let string) = element.value else { throw object.error("'\(key)' must be an array of strings") }
            strings.append(string)
        }
        return strings
    }

    private static func dependencies(_ object: ManifestObject, _ key: String) throws(PluginManifestError) -> [ConfigDependency] {
        guard let json = object[key] else { return [] }
        let malformed = object.error("'\(key)' must be an array of [key] or [key, value] pairs of strings")
        guard case .array(let elements) = json.value else { throw malformed }
        var dependencies: [ConfigDependency] = []
        for element in elements {
            guard case .array(let pair) = element.value, (1...2).contains(pair.count),
                case .string(let dependencyKey) = pair[0].value
            else { throw malformed }
            switch pair.dropFirst().first?.value {
            case nil, .null?: dependencies.append(ConfigDependency(key: dependencyKey, value: nil))
            case .string(let value)?: dependencies.append(ConfigDependency(key: dependencyKey, value: value))
            default: throw malformed
            }
        }
        return dependencies
    }
}
