import Foundation

/// A glob as Jest's `testMatch` writes them (micromatch's syntax): `*`, `?`, `**`, `[…]` classes, `{a,b}`
/// alternatives and the extglobs `?(…)`, `*(…)`, `+(…)`, `@(…)`, `!(…)`; matched against a path relative to the
/// plugin folder, with `/` between folders.
struct GlobPattern {
    let glob: String
    private let expression: NSRegularExpression

    init(_ glob: String) throws(GlobPatternError) {
        self.glob = glob
        do {
            expression = try NSRegularExpression(pattern: "^\(Self.regularExpression(of: Array(glob)))$")
        } catch {
            throw GlobPatternError(glob: glob)
        }
    }

    func matches(_ path: String) -> Bool {
        expression.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }

    private enum Group {
        case braces
        case extglob(Character)
    }

    private static func regularExpression(of glob: [Character]) -> String {
        var result = ""
        var groups: [Group] = []
        var index = 0
        func next(_ offset: Int = 1) -> Character? { index + offset < glob.count ? glob[index + offset] : nil }
        while index < glob.count {
            let character = glob[index]
            if "?*+@!".contains(character), next() == "(" {
                groups.append(.extglob(character))
                result += character == "!" ? "(?:(?!(?:" : "(?:"
                index += 2
                continue
            }
            switch character {
            case "\\":
                if let escaped = next() {
                    result += NSRegularExpression.escapedPattern(for: String(escaped))
                    index += 1
                }
            case "*" where next() == "*":
                let atSegmentStart = index == 0 || glob[index - 1] == "/"
                if atSegmentStart && next(2) == "/" {
                    result += "(?:.*/)?"
                    index += 2
                } else if atSegmentStart && next(2) == nil {
                    result += ".*"
                    index += 1
                } else {
                    result += "[^/]*"
                    index += 1
                }
            case "*":
                result += "[^/]*"
            case "?":
                result += "[^/]"
            case "[":
                if let close = glob[(index + 1)...].dropFirst().firstIndex(of: "]") {
                    var members = String(glob[(index + 1)..<close]).replacingOccurrences(of: "\\", with: "\\\\")
                    if members.hasPrefix("!") { members = "^" + members.dropFirst() }
                    result += "[\(members)]"
                    index = close
                } else {
                    result += "\\["
                }
            case "{":
                groups.append(.braces)
                result += "(?:"
            case "," where isInside(.braces, groups):
                result += "|"
            case "}" where isInside(.braces, groups):
                groups.removeLast()
                result += ")"
            case "|" where !groups.isEmpty:
                result += "|"
            case ")":
                if case .extglob(let kind) = groups.last {
                    groups.removeLast()
                    switch kind {
                    case "?": result += ")?"
                    case "*": result += ")*"
                    case "+": result += ")+"
                    case "!": result += "))[^/]*)"
                    default: result += ")"
                    }
                } else {
                    result += "\\)"
                }
            default:
                result += NSRegularExpression.escapedPattern(for: String(character))
            }
            index += 1
        }
        // An unclosed group matches its text literally up to here; close it so the expression stays valid.
        result += String(repeating: ")", count: groups.count)
        return result
    }

    private static func isInside(_ kind: Group, _ groups: [Group]) -> Bool {
        if case .braces = kind, case .braces = groups.last { return true }
        return false
    }
}

struct GlobPatternError: Error, CustomStringConvertible {
    var glob: String
    var description: String { "'\(glob)' is not a glob Quill can read" }
}
