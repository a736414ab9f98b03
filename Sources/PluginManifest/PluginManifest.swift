public import Foundation
import OrderedJSON

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

    /// The entry file's name: `main`, else `index.js` when the plugin has one, else `index.ts`.
    public func entryFileName(hasFile: (String) -> Bool) -> String {
        main ?? (hasFile("index.js") ? "index.js" : "index.ts")
    }

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

    /// A config schema stored as the JSON text of `plugin.json`'s `config` (either form).
    public static func configSchema(fromJSON text: String) throws(PluginManifestError) -> [ConfigField] {
        try parse(Data(#"{"name": "stored", "config": \#(text)}"#.utf8)).configSchema
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

/// A plugin.json value that keeps object keys in written order and can give back its source text.
/// `JSONSerialization` loses key order, and the object form of `config` lists fields in the order the UI shows them;
/// defaults and job payloads are kept as their author wrote them.
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
        let (json, span) = try JSONValue.parseWithSpans(bytes)
        return ManifestJSON(json, span: span, source: bytes)
    }

    private init(_ json: JSONValue, span: JSONSpan, source: [UInt8]) {
        switch json {
        case .null: value = .null
        case .bool(let bool): value = .bool(bool)
        case .number: value = .number
        case .string(let string): value = .string(string)
        case .array(let elements):
            value = .array(zip(elements, span.children).map { ManifestJSON($0, span: $1, source: source) })
        case .object(let members):
            value = .object(
                zip(members, span.children).map { Member(key: $0.key, value: ManifestJSON($0.value, span: $1, source: source)) })
        }
        self.source = source
        range = span.range
    }
}
