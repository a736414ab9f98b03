/// What a package.json dependency asks for: a range of registry versions, or a dist-tag (`latest`, `next`).
package enum NpmSpec: Sendable, CustomStringConvertible {
    case range(NpmRange)
    case tag(String)

    /// nil when `text` is not a registry version: a git URL, a tarball URL, a `file:` path, `user/repo`, an alias.
    package init?(_ text: String) {
        if let range = NpmRange(text) {
            self = .range(range)
        } else if let first = text.first, first.isLetter, text.count <= 214,
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) })
        {
            self = .tag(text)
        } else {
            return nil
        }
    }

    /// Whether an installed `version` fits: a tag can't be checked without the registry, so any version fits it.
    package func accepts(_ version: NpmVersion) -> Bool {
        switch self {
        case .range(let range): range.isSatisfied(by: version)
        case .tag: true
        }
    }

    package var description: String {
        switch self {
        case .range(let range): range.description.isEmpty ? "*" : range.description
        case .tag(let tag): tag
        }
    }
}
