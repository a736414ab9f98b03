import Foundation
import OrderedJSON

/// The plugins the web UI's catalogue offers: the list shipped with Quill (`WebUI/plugin-catalogue.json`),
/// extended or replaced by the operator's file in `QUILL_PLUGIN_CATALOGUE`.
///
/// A catalogue file is `{"plugins": [entry, …]}`, optionally with `"replace": true` to drop the shipped
/// list. An entry has `name`, `url`, `kind` (`transformation`, `destination` or `source`) and may have
/// `description` and `config` (`[{key, name, required, secret}]`, a summary; the installed plugin's
/// `plugin.json` makes the form). An operator's entry with the URL of a shipped one takes its place.
struct PluginCatalogue: Sendable {
    static let environmentVariable = "QUILL_PLUGIN_CATALOGUE"
    static let kinds: Set<String> = ["transformation", "destination", "source"]

    /// The entries, each a JSON object, in the order they are offered.
    let entries: [JSONValue]

    init(entries: [JSONValue]) {
        self.entries = entries
    }

    /// The shipped catalogue, then the operator's file if one is given.
    static func load(operatorFile path: String?) throws -> PluginCatalogue {
        var entries = try shipped().entries
        guard let path else { return PluginCatalogue(entries: entries) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(description: "\(environmentVariable): '\(path)' can't be read")
        }
        let file: (entries: [JSONValue], replace: Bool)
        do {
            file = try parse(Array(data))
        } catch {
            throw ConfigurationError(description: "\(environmentVariable): '\(path)': \(error)")
        }
        if file.replace { entries = [] }
        for entry in file.entries {
            if let index = entries.firstIndex(where: { Self.key($0) == Self.key(entry) }) {
                entries[index] = entry
            } else {
                entries.append(entry)
            }
        }
        return PluginCatalogue(entries: entries)
    }

    /// The list shipped with Quill, embedded at build time; a broken one is a bug that its test catches.
    static func shipped() throws -> PluginCatalogue {
        PluginCatalogue(entries: try parse(Array(EmbeddedJSON.pluginCatalogue.utf8)).entries)
    }

    /// The entries of a catalogue file, each checked, and whether it replaces the shipped list.
    static func parse(_ bytes: [UInt8]) throws -> (entries: [JSONValue], replace: Bool) {
        guard case .object(let file) = try JSONValue.parse(bytes), let entries = file["plugins"]?.arrayValue else {
            throw CatalogueError(description: "a catalogue is an object with a 'plugins' array")
        }
        for (index, entry) in entries.enumerated() {
            guard let name = entry["name"]?.stringValue, !name.isEmpty, let url = entry["url"]?.stringValue, !url.isEmpty
            else { throw CatalogueError(description: "plugin \(index + 1) needs a 'name' and a 'url'") }
            guard let kind = entry["kind"]?.stringValue, kinds.contains(kind) else {
                throw CatalogueError(description: "'\(name)' needs a 'kind': transformation, destination or source")
            }
        }
        return (entries, file["replace"]?.boolValue ?? false)
    }

    /// A URL as installs compare it: no trailing slash or `.git`, any case.
    static func key(_ entry: JSONValue) -> String {
        var url = (entry["url"]?.stringValue ?? "").lowercased()
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix(".git") { url.removeLast(4) }
        return url
    }
}

struct CatalogueError: Error, CustomStringConvertible {
    var description: String
}
