/// A JSON value that keeps what an unordered Swift dictionary or a `Double` would lose: member order and
/// each number exactly as written. Quill hands events on as the plugins left them (DESIGN.md, event fidelity).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written (e.g. "1.0", "-0", "12345678901234567890", "1e3"); never reformatted.
    /// It is serialized as is, so it must be an RFC 8259 number. Numbers compare by text: `1.0` is not `1`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    public var objectValue: JSONObject? {
        guard case .object(let object) = self else { return nil }
        return object
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let array) = self else { return nil }
        return array
    }

    public var boolValue: Bool? {
        guard case .bool(let bool) = self else { return nil }
        return bool
    }

    /// The number as Double (for `.number`), nil otherwise; big integers lose precision, as in JavaScript.
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// For an object: the member's value; nil when absent or not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    public init(_ string: String) {
        self = .string(string)
    }

    public init(_ int: Int) {
        self = .number(String(int))
    }

    /// Swift's description is the shortest text that reads back as the same Double, and is a valid JSON number;
    /// JSON has no infinity or NaN, and `JSON.stringify` writes them as null.
    public init(_ double: Double) {
        self = double.isFinite ? .number(double.description) : .null
    }

    public init(_ bool: Bool) {
        self = .bool(bool)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    public init(nilLiteral: ()) {
        self = .null
    }

    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }

    /// Members keep the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0, value: $1) }))
    }
}
