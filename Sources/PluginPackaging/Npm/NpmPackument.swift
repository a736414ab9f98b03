import OrderedJSON

/// A package's registry document, reduced to what installing needs: each version's dependencies and tarball.
struct NpmPackument {
    struct Release {
        var version: NpmVersion
        var dependencies: [String: String]
        var optionalDependencies: [String: String]
        var tarball: String
        var integrity: String?
        var shasum: String?
    }

    var name: String
    var releases: [NpmVersion: Release] = [:]
    var distTags: [String: String] = [:]

    init(name: String, json: JSONValue) throws(NpmInstallError) {
        self.name = name
        guard let versions = json["versions"]?.objectValue else {
            throw NpmInstallError("The registry's document for \(name) lists no versions")
        }
        for (key, manifest) in versions {
            // A version the registry lists in a form node-semver would not read is left out, as npm does.
            guard let version = NpmVersion(key), let tarball = manifest["dist"]?["tarball"]?.stringValue else { continue }
            releases[version] = Release(
                version: version, dependencies: Self.names(manifest["dependencies"]),
                optionalDependencies: Self.names(manifest["optionalDependencies"]), tarball: tarball,
                integrity: manifest["dist"]?["integrity"]?.stringValue, shasum: manifest["dist"]?["shasum"]?.stringValue)
        }
        for (tag, version) in json["dist-tags"]?.objectValue ?? JSONObject() {
            if let version = version.stringValue { distTags[tag] = version }
        }
    }

    /// The version npm would pick: the `latest` tag's when it satisfies the range, else the highest that does.
    func pick(_ spec: NpmSpec) throws(NpmInstallError) -> Release {
        switch spec {
        case .alias(_, let target):
            return try pick(target)
        case .tag(let tag):
            guard let tagged = distTags[tag].flatMap(NpmVersion.init), let release = releases[tagged] else {
                throw NpmInstallError("\(name) has no version tagged '\(tag)' in the registry")
            }
            return release
        case .range(let range):
            if let latest = distTags["latest"].flatMap(NpmVersion.init), range.isSatisfied(by: latest), let release = releases[latest] {
                return release
            }
            guard let best = range.maxSatisfying(releases.keys).flatMap({ releases[$0] }) else {
                let newest = releases.keys.max().map { "the newest there is \($0)" } ?? "it has no versions"
                throw NpmInstallError("\(name) has no version matching '\(spec)' in the registry (\(newest))")
            }
            return best
        }
    }

    /// A `dependencies`-like object as name → spec; members that aren't strings are left out.
    static func names(_ value: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for (name, spec) in value?.objectValue ?? JSONObject() {
            if let spec = spec.stringValue { result[name] = spec }
        }
        return result
    }
}
