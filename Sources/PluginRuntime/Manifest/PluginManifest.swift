public import Foundation

/// A plugin's `plugin.json` (reference §2.3).
public struct PluginManifest: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var url: String?
    /// The entry file named by `main`, nil when absent.
    public var main: String?
    /// The config fields, from either the object or the array shape, in declared order.
    public var configSchema: [ConfigField]
    /// Jobs a user may start from the UI, by name.
    public var publicJobs: [String: PublicJobSpec]
    /// The semver range of PostHog the plugin asks for.
    public var posthogVersion: String?
    /// `stateless`: one VM may serve every team that installs the plugin.
    public var isStateless: Bool

    /// Parses plugin.json; errors name what is wrong ("plugin.json: 'name' is missing",
    /// "plugin.json is not valid JSON: …", "config[2]: 'key' is missing", "config 'x': type 'choice' needs 'choices'" …).
    public static func parse(_ data: Data) throws(PluginManifestError) -> PluginManifest {
        let root: ManifestJSON
        do {
            root = try ManifestJSON.parse(Array(data))
        } catch {
            throw PluginManifestError(description: "plugin.json is not valid JSON: \(error)")
        }
        let fields = try ManifestObject(root, label: "plugin.json")
        guard let name = try fields.string("name") else { throw fields.error("'name' is missing") }
        guard !name.isEmpty else { throw fields.error("'name' is empty") }
        return PluginManifest(
            name: name,
            description: try fields.string("description"),
            url: try fields.string("url"),
            main: try fields.string("main"),
            configSchema: try ConfigField.schema(from: fields["config"]),
            publicJobs: try PublicJobSpec.jobs(from: fields["publicJobs"]),
            posthogVersion: try fields.string("posthogVersion"),
            isStateless: try fields.bool("stateless") ?? false
        )
    }
}

/// A job listed under `publicJobs`.
public struct PublicJobSpec: Sendable, Equatable {
    /// The job's `payload` object (field name → `{type, title, required, …}`) as JSON text, in declared order;
    /// `{}` when absent. Kept as text because only a UI that builds the job's form interprets it.
    public var payload: String

    static func jobs(from json: ManifestJSON?) throws(PluginManifestError) -> [String: PublicJobSpec] {
        guard let json else { return [:] }
        guard case .object(let members) = json.value else {
            throw PluginManifestError(description: "plugin.json: 'publicJobs' must be an object")
        }
        var jobs: [String: PublicJobSpec] = [:]
        for member in members {
            let job = try ManifestObject(member.value, label: "publicJobs '\(member.key)'")
            guard let payload = job["payload"] else {
                jobs[member.key] = PublicJobSpec(payload: "{}")
                continue
            }
            guard case .object = payload.value else { throw job.error("'payload' must be an object") }
            jobs[member.key] = PublicJobSpec(payload: payload.text)
        }
        return jobs
    }
}

public struct PluginManifestError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// One JSON object of plugin.json, read property by property; `label` names the object in errors.
struct ManifestObject {
    var members: [ManifestJSON.Member]
    var label: String

    init(_ json: ManifestJSON, label: String) throws(PluginManifestError) {
        guard case .object(let members) = json.value else {
            throw PluginManifestError(description: "\(label) must be a JSON object")
        }
        self.members = members
        self.label = label
    }

    func error(_ message: String) -> PluginManifestError {
        PluginManifestError(description: "\(label): \(message)")
    }

    /// The property's value; `null` counts as absent, as PostHog's optional properties are often written that way.
    subscript(key: String) -> ManifestJSON? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value.value { return nil }
        return value
    }

    func string(_ key: String) throws(PluginManifestError) -> String? {
        guard let json = self[key] else { return nil }
        guard case .string(let string) = json.value else { throw error("'\(key)' must be a string") }
        return string
    }

    func bool(_ key: String) throws(PluginManifestError) -> Bool? {
        guard let json = self[key] else { return nil }
        guard case .bool(let bool) = json.value else { throw error("'\(key)' must be true or false") }
        return bool
    }

    func int(_ key: String) throws(PluginManifestError) -> Int? {
        guard let json = self[key] else { return nil }
        guard case .number = json.value, let int = Int(json.text) else { throw error("'\(key)' must be an integer") }
        return int
    }
}

/// A JSON value that keeps object keys in written order and can give back its source text.
/// `JSONSerialization` loses key order, and the object form of `config` lists fields in the order the UI shows them.
struct ManifestJSON {
    indirect enum Value {
        case null
        case bool(Bool)
        /// The number's text is `text`; nothing here does arithmetic with it.
        case number
        case string(String)
        case array([ManifestJSON])
        case object([Member])
    }

    struct Member {
        var key: String
        var value: ManifestJSON
    }

    var value: Value
    private var source: [UInt8]
    private var range: Range<Int>

    /// The value as written in the source.
    var text: String { String(decoding: source[range], as: UTF8.self) }

    /// Parses RFC 8259 JSON (after an optional UTF-8 byte order mark). A repeated object key keeps its first
    /// position and its last value, as `JSON.parse` does.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> ManifestJSON {
        var parser = Parser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.unexpectedCharacter() }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        /// Deep enough for any real document, shallow enough that recursion can't exhaust the stack.
        private static let maximumDepth = 512

        mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> ManifestJSON {
            guard depth < Self.maximumDepth else { throw error("values are nested too deeply") }
            skipWhitespace()
            let start = index
            guard index < bytes.count else { throw error("unexpected end of input") }
            let value: Value
            switch bytes[index] {
            case UInt8(ascii: "{"): value = .object(try parseMembers(depth: depth))
            case UInt8(ascii: "["): value = .array(try parseElements(depth: depth))
            case UInt8(ascii: "\""): value = .string(try parseString())
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try parseNumber()
                value = .number
            default: throw unexpectedCharacter()
            }
            return ManifestJSON(value: value, source: bytes, range: start..<index)
        }

        private mutating func parseMembers(depth: Int) throws(JSONSyntaxError) -> [Member] {
            index += 1
            var members: [Member] = []
            var positions: [String: Int] = [:]
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return members }
            repeat {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpectedCharacter() }
                let key = try parseString()
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { throw unexpectedCharacter() }
                let value = try parseValue(depth: depth + 1)
                if let position = positions[key] {
                    members[position].value = value
                } else {
                    positions[key] = members.count
                    members.append(Member(key: key, value: value))
                }
                skipWhitespace()
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else { throw unexpectedCharacter() }
            return members
        }

        private mutating func parseElements(depth: Int) throws(JSONSyntaxError) -> [ManifestJSON] {
            index += 1
            var elements: [ManifestJSON] = []
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return elements }
            repeat {
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "]")) else { throw unexpectedCharacter() }
            return elements
        }

        private mutating func parseString() throws(JSONSyntaxError) -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flushRun(upTo end: Int) {
                scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
            }
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    flushRun(upTo: index)
                    index += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flushRun(upTo: index)
                    scalars.append(try parseEscape())
                    runStart = index
                case 0..<0x20:
                    throw error("control character in a string")
                default:
                    index += 1
                }
            }
            throw error("unterminated string")
        }

        /// Reads one escape after its backslash; a lone UTF-16 surrogate, which Swift strings can't hold, becomes U+FFFD.
        private mutating func parseEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
            index += 1
            guard index < bytes.count else { throw error("unterminated string") }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(escaped)
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let unit = try parseHexQuad()
                if (0xD800..<0xDC00).contains(unit), bytes[index...].starts(with: Array("\\u".utf8)) {
                    let resume = index
                    index += 2
                    let low = try parseHexQuad()
                    if (0xDC00..<0xE000).contains(low) {
                        return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                    }
                    index = resume
                }
                return Unicode.Scalar(unit) ?? "\u{FFFD}"
            default:
                index -= 1
                throw error("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
            }
        }

        private mutating func parseHexQuad() throws(JSONSyntaxError) -> UInt32 {
            var unit: UInt32 = 0
            for _ in 0..<4 {
                guard index < bytes.count, let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else {
                    throw error("invalid \\u escape")
                }
                unit = unit << 4 | UInt32(digit)
                index += 1
            }
            return unit
        }

        private mutating func parseNumber() throws(JSONSyntaxError) {
            _ = consume(UInt8(ascii: "-"))
            if !consume(UInt8(ascii: "0")) {
                guard skipDigits() else { throw unexpectedCharacter() }
            }
            if consume(UInt8(ascii: ".")) {
                guard skipDigits() else { throw unexpectedCharacter() }
            }
            if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
                if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
                guard skipDigits() else { throw unexpectedCharacter() }
            }
        }

        /// Skips a run of digits and says whether there was at least one.
        private mutating func skipDigits() -> Bool {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index > start
        }

        private mutating func parseLiteral(_ literal: String) throws(JSONSyntaxError) {
            for byte in literal.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw unexpectedCharacter() }
                index += 1
            }
        }

        /// Consumes `byte` if it comes next.
        private mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func unexpectedCharacter() -> JSONSyntaxError {
            guard index < bytes.count else { return error("unexpected end of input") }
            let character = String(decoding: bytes[index..<min(index + 4, bytes.count)], as: UTF8.self).first ?? "?"
            return error("unexpected character '\(character)'")
        }

        func error(_ message: String) -> JSONSyntaxError {
            let before = bytes[..<index]
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let line = before.count(where: { $0 == 0x0A }) + 1
            let column = bytes[lineStart..<index].count(where: { $0 & 0xC0 != 0x80 }) + 1
            return JSONSyntaxError(description: "\(message) at line \(line), column \(column)")
        }
    }
}

struct JSONSyntaxError: Error, CustomStringConvertible {
    var description: String
}
