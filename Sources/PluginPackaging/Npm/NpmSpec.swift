/// What a package.json dependency asks for: a range of registry versions, a dist-tag (`latest`, `next`), or
/// either of another package under the dependency's name (`npm:NAME@RANGE`, an alias).
package indirect enum NpmSpec: Sendable, CustomStringConvertible {
    case range(NpmRange)
    case tag(String)
    case alias(package: String, NpmSpec)

    /// nil when `text` is not a registry version: a git URL, a tarball URL, a `file:` path, `user/repo`.
    package init?(_ text: String) {
        if text.hasPrefix("npm:") {
            let target = text.dropFirst(4)
            // The version follows the first `@` that doesn't start a scope: a name has no other.
            let at = target.dropFirst().firstIndex(of: "@")
            let version = at.map { String(target[target.index(after: $0)...]) } ?? ""
            guard let inner = NpmSpec(version), !inner.isAlias else { return nil }
            self = .alias(package: String(target[..<(at ?? target.endIndex)]), inner)
        } else if let range = NpmRange(text) {
            self = .range(range)
        } else if let first = text.first, first.isLetter, text.count <= 214,
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) })
        {
            self = .tag(text)
        } else {
            return nil
        }
    }

    private var isAlias: Bool {
        if case .alias = self { true } else { false }
    }

    /// The registry package to install for the dependency `name`: the alias's target, else `name` itself.
    package func package(forDependency name: String) -> String {
        if case .alias(let package, _) = self { package } else { name }
    }

    /// Whether an installed `version` fits: a tag can't be checked without the registry, so any version fits it.
    package func accepts(_ version: NpmVersion) -> Bool {
        switch self {
        case .range(let range): range.isSatisfied(by: version)
        case .tag: true
        case .alias(_, let target): target.accepts(version)
        }
    }

    package var description: String {
        switch self {
        case .range(let range): range.description.isEmpty ? "*" : range.description
        case .tag(let tag): tag
        case .alias(let package, let target): "npm:\(package)@\(target)"
        }
    }
}
