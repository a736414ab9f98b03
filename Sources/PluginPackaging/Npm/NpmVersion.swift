/// A semantic version as node-semver reads it: `MAJOR.MINOR.PATCH`, an optional `-prerelease` and `+build`,
/// a leading `v` or `=` tolerated. Build metadata is kept for display but ignored by comparison.
package struct NpmVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    package enum Identifier: Sendable, Hashable, Comparable {
        case numeric(Int)
        case alphanumeric(String)

        package static func < (lhs: Identifier, rhs: Identifier) -> Bool {
            switch (lhs, rhs) {
            case (.numeric(let left), .numeric(let right)): left < right
            case (.alphanumeric(let left), .alphanumeric(let right)): Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
            // Numeric identifiers always have lower precedence than alphanumeric ones.
            case (.numeric, .alphanumeric): true
            case (.alphanumeric, .numeric): false
            }
        }
    }

    package var major: Int
    package var minor: Int
    package var patch: Int
    package var prerelease: [Identifier]
    package var build: [String]

    package init(_ major: Int, _ minor: Int, _ patch: Int, prerelease: [Identifier] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    /// nil when `text` is not a version.
    package init?(_ text: some StringProtocol) {
        var rest = Substring(text.trimmingWhitespace)
        while rest.first == "=" || rest.first == "v" { rest = rest.dropFirst() }
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard build.allSatisfy(Self.isIdentifier) else { return nil }
            rest = rest[..<plus]
        }
        var prerelease: [Identifier] = []
        if let dash = rest.firstIndex(of: "-") {
            let parts = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
            for part in parts {
                guard Self.isIdentifier(part) else { return nil }
                if part.allSatisfy(\.isASCIIDigit) {
                    guard let number = Self.number(part) else { return nil }
                    prerelease.append(.numeric(number))
                } else {
                    prerelease.append(.alphanumeric(String(part)))
                }
            }
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3, let major = Self.number(core[0]), let minor = Self.number(core[1]), let patch = Self.number(core[2])
        else { return nil }
        self.init(major, minor, patch, prerelease: prerelease, build: build)
    }

    package var description: String {
        let pre = prerelease.isEmpty ? "" : "-" + prerelease.map { identifier -> String in
            switch identifier {
            case .numeric(let number): String(number)
            case .alphanumeric(let text): text
            }
        }.joined(separator: ".")
        return "\(major).\(minor).\(patch)\(pre)" + (build.isEmpty ? "" : "+" + build.joined(separator: "."))
    }

    package static func < (lhs: NpmVersion, rhs: NpmVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        // A version without a prerelease is above all of its prereleases.
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, _): return false
        case (false, true): return true
        case (false, false): return lhs.prerelease.lexicographicallyPrecedes(rhs.prerelease)
        }
    }

    /// Equal by precedence: build metadata does not count.
    package static func == (lhs: NpmVersion, rhs: NpmVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch) && lhs.prerelease == rhs.prerelease
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }

    /// node-semver caps numbers at JavaScript's largest safe integer; a numeric part has no leading zero.
    static func number(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.count <= 16, text.allSatisfy(\.isASCIIDigit), text == "0" || text.first != "0",
            let value = Int(text), value <= 9_007_199_254_740_991
        else { return nil }
        return value
    }

    private static func isIdentifier(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    var trimmingWhitespace: SubSequence {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
