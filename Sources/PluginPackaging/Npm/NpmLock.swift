package import Foundation
import OrderedJSON

/// `quill-lock.json`: what was installed for a plugin's dependencies, kept with the plugin so a later compile
/// installs the same packages. Modelled on package-lock.json v3: `packages` keyed by install path
/// (`node_modules/a`, `node_modules/a/node_modules/b`), the root as `""`.
package struct NpmLock: Sendable, Equatable {
    package static let fileName = "quill-lock.json"

    package struct Package: Sendable, Equatable {
        /// The registry name when it is not the folder's: an alias (`npm:NAME@RANGE`) installs NAME under another.
        var name: String?
        var version: NpmVersion
        var resolved: String
        var integrity: String
        var dependencies: [String: String]
        var optionalDependencies: [String: String]
    }

    /// The root's dependencies, as package.json named them when the lock was written.
    var dependencies: [String: String]
    /// By install path.
    var packages: [String: Package]

    init(dependencies: [String: String], packages: [String: Package]) {
        self.dependencies = dependencies
        self.packages = packages
    }

    /// nil when `data` is not a lock this version wrote: it is then resolved again.
    package init?(_ data: Data) {
        guard let json = try? JSONValue.parse(Array(data)), json["lockfileVersion"] == 3,
            let entries = json["packages"]?.objectValue
        else { return nil }
        var packages: [String: Package] = [:]
        for (path, entry) in entries where !path.isEmpty {
            guard let version = entry["version"]?.stringValue.flatMap(NpmVersion.init),
                let resolved = entry["resolved"]?.stringValue, let integrity = entry["integrity"]?.stringValue
            else { return nil }
            packages[path] = Package(
                name: entry["name"]?.stringValue, version: version, resolved: resolved, integrity: integrity,
                dependencies: NpmPackument.names(entry["dependencies"]),
                optionalDependencies: NpmPackument.names(entry["optionalDependencies"]))
        }
        self.init(dependencies: NpmPackument.names(entries[""]?["dependencies"]), packages: packages)
    }

    /// Pretty-printed with sorted keys, so the same installation writes the same bytes.
    package var serialized: Data {
        func entry(_ package: Package) -> [String: Any] {
            var entry: [String: Any] = [
                "version": package.version.description, "resolved": package.resolved, "integrity": package.integrity,
            ]
            if let name = package.name { entry["name"] = name }
            if !package.dependencies.isEmpty { entry["dependencies"] = package.dependencies }
            if !package.optionalDependencies.isEmpty { entry["optionalDependencies"] = package.optionalDependencies }
            return entry
        }
        var entries: [String: Any] = ["": ["dependencies": dependencies]]
        for (path, package) in packages { entries[path] = entry(package) }
        let lock: [String: Any] = ["lockfileVersion": 3, "requires": true, "packages": entries]
        let data = try? JSONSerialization.data(withJSONObject: lock, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return (data ?? Data()) + Data("\n".utf8)
    }
}
