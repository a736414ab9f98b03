import Foundation
import OrderedJSON

/// One of an action webhook's property filters, as PostHog writes them: `{"key", "value", "operator"}` on
/// the event's properties (`type` may be given, and must be `event`).
struct EventPropertyFilter: Sendable {
    enum Operator: String, Sendable, CaseIterable {
        /// The property equals the value, or one of the values when it is an array.
        case exact
        /// The property is missing or equals none of the values.
        case isNot = "is_not"
        /// The property, as text, contains the value, ignoring case.
        case icontains
        /// The property, as text, matches the regular expression.
        case regex
        /// The property is there and not null.
        case isSet = "is_set"
    }

    var key: String
    var `operator`: Operator
    var value: JSONValue
    /// The compiled `value` of a `regex` filter.
    private var expression: NSRegularExpression?

    /// Reads a filter; the error says what is wrong with it.
    init(_ json: JSONValue) throws(FilterError) {
        guard let object = json.objectValue else { throw FilterError("each property filter must be an object {key, value, operator}") }
        guard let key = object["key"]?.stringValue, !key.isEmpty else { throw FilterError("each property filter needs a 'key', a property name") }
        if let type = object["type"], type != .null, type.stringValue != "event" {
            throw FilterError("property filter '\(key)': only event properties can be filtered ('type' must be 'event')")
        }
        let operatorName = object["operator"]?.stringValue ?? Operator.exact.rawValue
        guard let found = Operator(rawValue: operatorName) else {
            let names = Operator.allCases.map(\.rawValue).joined(separator: ", ")
            throw FilterError("property filter '\(key)': unknown operator '\(operatorName)'; use one of \(names)")
        }
        let value = object["value"] ?? .null
        switch found {
        case .isSet:
            break
        case .exact, .isNot:
            guard value != .null, value.objectValue == nil else {
                throw FilterError("property filter '\(key)': '\(found.rawValue)' needs a 'value', or an array of values")
            }
        case .icontains, .regex:
            guard let text = value.stringValue, !text.isEmpty else {
                throw FilterError("property filter '\(key)': '\(found.rawValue)' needs a 'value' that is a non-empty string")
            }
            if found == .regex {
                do {
                    expression = try NSRegularExpression(pattern: text)
                } catch {
                    throw FilterError("property filter '\(key)': '\(text)' is not a regular expression")
                }
            }
        }
        self.key = key
        self.operator = found
        self.value = value
    }

    /// Reads stored or submitted filters: a JSON array of filters.
    static func list(_ json: JSONValue) throws(FilterError) -> [EventPropertyFilter] {
        guard let array = json.arrayValue else { throw FilterError("'property_filters' must be an array of {key, value, operator}") }
        var filters: [EventPropertyFilter] = []
        for filter in array { filters.append(try EventPropertyFilter(filter)) }
        return filters
    }

    func matches(_ properties: JSONObject) -> Bool {
        // A null property is as good as missing. (`.none`, not `nil`: JSONValue takes a nil literal as `.null`.)
        var property = properties[key]
        if case .null? = property { property = .none }
        switch self.operator {
        case .isSet:
            return property != nil
        case .exact:
            return property.map(equalsAnyValue) ?? false
        case .isNot:
            return !(property.map(equalsAnyValue) ?? false)
        case .icontains:
            guard let property, let needle = value.stringValue else { return false }
            return Self.text(of: property).localizedCaseInsensitiveContains(needle)
        case .regex:
            guard let property, let expression else { return false }
            let text = Self.text(of: property)
            return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    /// As PostHog compares: by text, so `"1"` equals `1`.
    private func equalsAnyValue(_ property: JSONValue) -> Bool {
        let text = Self.text(of: property)
        return (value.arrayValue ?? [value]).contains { Self.text(of: $0) == text }
    }

    /// A string as it is, anything else as its JSON.
    static func text(of value: JSONValue) -> String {
        value.stringValue ?? value.serializedString
    }
}

struct FilterError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
