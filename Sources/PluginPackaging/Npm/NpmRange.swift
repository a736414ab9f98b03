/// A version range with node-semver's grammar and meaning: `||` alternatives of space-separated comparators,
/// hyphen ranges (`1.2 - 2`), `^`, `~` (and `~>`), x-ranges (`1.x`, `1.2.*`, `*`, empty) and `<`, `<=`, `>`,
/// `>=`, `=`. Each is turned into plain comparators the way node-semver desugars them, so `^1.2` is
/// `>=1.2.0 <2.0.0-0`.
package struct NpmRange: Sendable, CustomStringConvertible {
    struct Comparator: Sendable {
        enum Operator: String, Sendable { case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "=" }
        var op: Operator
        var version: NpmVersion

        func test(_ candidate: NpmVersion) -> Bool {
            switch op {
            case .less: candidate < version
            case .lessOrEqual: candidate <= version
            case .greater: candidate > version
            case .greaterOrEqual: candidate >= version
            case .equal: candidate == version
            }
        }
    }

    /// Alternatives; an empty comparator list matches any version (`*`).
    let sets: [[Comparator]]
    package let description: String

    /// nil when `text` is not a range node-semver accepts.
    package init?(_ text: String) {
        guard text.utf8.count <= 1_024 else { return nil }  // node-semver's own bound on range length
        var sets: [[Comparator]] = []
        for alternative in text.split(separator: "||", omittingEmptySubsequences: false) {
            guard let set = Self.comparators(of: alternative) else { return nil }
            sets.append(set)
        }
        self.sets = sets
        description = String(text.trimmingWhitespace)
    }

    /// Whether `version` satisfies the range. A prerelease satisfies only a comparator set that names a
    /// prerelease of the same major.minor.patch, as in node-semver: `^1.2.3` does not take `1.3.0-beta`.
    package func isSatisfied(by version: NpmVersion) -> Bool {
        sets.contains { set in
            guard set.allSatisfy({ $0.test(version) }) else { return false }
            guard !version.prerelease.isEmpty else { return true }
            return set.contains {
                !$0.version.prerelease.isEmpty
                    && ($0.version.major, $0.version.minor, $0.version.patch) == (version.major, version.minor, version.patch)
            }
        }
    }

    /// The highest of `versions` that satisfies the range.
    package func maxSatisfying(_ versions: some Sequence<NpmVersion>) -> NpmVersion? {
        versions.filter(isSatisfied).max()
    }

    /// A version with parts that may be `x`, `X`, `*` or missing (nil).
    private struct Partial {
        var major: Int?
        var minor: Int?
        var patch: Int?
        var prerelease: [NpmVersion.Identifier] = []

        init?(_ text: Substring) {
            var rest = text
            while rest.first == "=" || rest.first == "v" { rest = rest.dropFirst() }
            let isWildcard = { (part: Substring) in part == "x" || part == "X" || part == "*" }
            // Prerelease and build are allowed only after a full major.minor.patch.
            let core = rest.prefix { $0 != "-" && $0 != "+" }
            let parts = core.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count) else { return nil }
            var numbers: [Int?] = []
            for part in parts {
                if isWildcard(part) {
                    numbers.append(nil)
                } else {
                    guard let number = NpmVersion.number(part) else { return nil }
                    numbers.append(number)
                }
            }
            major = numbers[0]
            minor = numbers.count > 1 ? numbers[1] : nil
            patch = numbers.count > 2 ? numbers[2] : nil
            if core.endIndex < rest.endIndex {
                guard parts.count == 3, numbers.allSatisfy({ $0 != nil }), let full = NpmVersion(rest) else { return nil }
                prerelease = full.prerelease
            }
        }

        var full: NpmVersion? {
            guard let major, let minor, let patch else { return nil }
            return NpmVersion(major, minor, patch, prerelease: prerelease)
        }
    }

    private static func comparators(of alternative: Substring) -> [Comparator]? {
        // An operator may stand apart from its version (`>= 1.2.3`, `^ 1.2`): join them.
        var words: [Substring] = []
        var pendingOperator: Substring?
        for word in alternative.split(whereSeparator: \.isWhitespace) {
            if word.allSatisfy({ "<>=~^".contains($0) }) {
                guard pendingOperator == nil else { return nil }
                pendingOperator = word
            } else if let op = pendingOperator {
                words.append(Substring(op + word))
                pendingOperator = nil
            } else {
                words.append(word)
            }
        }
        guard pendingOperator == nil else { return nil }
        if words.count == 3, words[1] == "-" {
            guard let from = Partial(words[0]), let to = Partial(words[2]) else { return nil }
            return hyphen(from: from, to: to)
        }
        var result: [Comparator] = []
        for word in words {
            guard let desugared = desugar(word) else { return nil }
            result += desugared
        }
        return result
    }

    /// `>=M.m.p[-pre]`.
    private static func atLeast(_ major: Int, _ minor: Int, _ patch: Int, _ prerelease: [NpmVersion.Identifier] = []) -> Comparator {
        Comparator(op: .greaterOrEqual, version: NpmVersion(major, minor, patch, prerelease: prerelease))
    }

    /// `<M.m.p-0`: below every version of M.m.p, prereleases included.
    private static func below(_ major: Int, _ minor: Int, _ patch: Int) -> Comparator {
        Comparator(op: .less, version: NpmVersion(major, minor, patch, prerelease: [.numeric(0)]))
    }

    private static func hyphen(from: Partial, to: Partial) -> [Comparator] {
        var result: [Comparator] = []
        if let major = from.major {
            result.append(atLeast(major, from.minor ?? 0, from.minor == nil ? 0 : from.patch ?? 0, from.prerelease))
        }
        if let full = to.full {
            result.append(Comparator(op: .lessOrEqual, version: full))
        } else if let major = to.major {
            result.append(to.minor.map { below(major, $0 + 1, 0) } ?? below(major + 1, 0, 0))
        }
        return result
    }

    private static func desugar(_ word: Substring) -> [Comparator]? {
        for prefix in ["~>", "~", "^"] where word.hasPrefix(prefix) {
            guard let partial = Partial(word.dropFirst(prefix.count)) else { return nil }
            guard let major = partial.major else { return [] }
            guard let minor = partial.minor else { return [atLeast(major, 0, 0), below(major + 1, 0, 0)] }
            let patch = partial.patch ?? 0
            let lower = atLeast(major, minor, patch, partial.prerelease)
            // `~` allows patch changes; `^` changes to the right of the first non-zero part.
            if prefix != "^" || (major == 0 && partial.patch == nil) { return [lower, below(major, minor + 1, 0)] }
            if major > 0 { return [lower, below(major + 1, 0, 0)] }
            if minor > 0 { return [lower, below(0, minor + 1, 0)] }
            return [lower, below(0, 0, patch + 1)]
        }
        let operators: [(String, Comparator.Operator)] = [
            ("<=", .lessOrEqual), (">=", .greaterOrEqual), ("<", .less), (">", .greater), ("=", .equal),
        ]
        let found = operators.first { word.hasPrefix($0.0) }
        guard let partial = Partial(word.dropFirst(found?.0.count ?? 0)) else { return nil }
        let op = found?.1 ?? .equal
        if let full = partial.full { return [Comparator(op: op, version: full)] }
        // `>*` and `<*` match nothing; `*`, `>=*`, `<=*`: anything.
        guard let major = partial.major else { return op == .less || op == .greater ? [below(0, 0, 0)] : [] }
        // The version past the x-range: `1.2.x` → 1.3.0, `1.x` → 2.0.0.
        let (nextMinor, nextMajor) = partial.minor.map { ($0 + 1, major) } ?? (0, major + 1)
        switch op {
        case .equal: return [atLeast(major, partial.minor ?? 0, 0), below(nextMajor, nextMinor, 0)]
        case .greater: return [atLeast(nextMajor, nextMinor, 0)]
        case .lessOrEqual: return [below(nextMajor, nextMinor, 0)]
        case .less: return [below(major, partial.minor ?? 0, 0)]
        case .greaterOrEqual: return [atLeast(major, partial.minor ?? 0, 0)]
        }
    }
}
