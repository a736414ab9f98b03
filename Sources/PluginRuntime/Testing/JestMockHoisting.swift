/// Moves a test's top-level `jest.mock(…)` calls above its first `require`, as babel-jest hoists them above the
/// imports: a module mocked anywhere at the top of a test file is mocked for every import of it.
///
/// It works on esbuild's CommonJS output of the test file, where each `import` became a `require` at its place
/// and every statement ends with `;`. The text keeps its line count, so the source map esbuild wrote stays true:
/// a moved call becomes one line put in front of the first `require` statement, and leaves blank lines behind.
struct JestMockHoisting {
    /// The source with the calls moved.
    var source: String
    /// The modules named by literal strings in the hoisted calls, e.g. `node-fetch`.
    var mockedModules: [String]

    init(hoisting source: String) {
        let bytes = Array(source.utf8)
        let regions = JavaScriptRegions(bytes)
        let statements = regions.topLevelStatements()
        var hoisted: [Range<Int>] = []
        var modules: [String] = []
        var firstRequire: Int?
        for statement in statements {
            if let call = Self.mockCall(in: bytes, statement, regions) {
                if let module = Self.firstStringArgument(in: bytes, from: call, regions) { modules.append(module) }
                if let firstRequire, firstRequire < statement.lowerBound { hoisted.append(statement) }
            } else if firstRequire == nil, regions.callsRequire(in: statement) {
                firstRequire = statement.lowerBound
            }
        }
        mockedModules = modules
        guard let insertion = firstRequire, !hoisted.isEmpty else {
            self.source = source
            return
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var position = 0
        output.append(contentsOf: bytes[position..<insertion])
        position = insertion
        for statement in hoisted {
            output.append(contentsOf: Self.flattened(bytes, statement, regions))
            output.append(UInt8(ascii: " "))
        }
        for statement in hoisted {
            output.append(contentsOf: bytes[position..<statement.lowerBound])
            output.append(contentsOf: bytes[statement].filter { $0 == UInt8(ascii: "\n") })
            position = statement.upperBound
        }
        output.append(contentsOf: bytes[position...])
        self.source = String(decoding: output, as: UTF8.self)
    }

    private static let hoistedMethods: [[UInt8]] = [Array("mock(".utf8), Array("unmock(".utf8)]

    /// Where the call's `(` is, when the statement is `jest.mock(…)`, `jest.unmock(…)` or `X.jest.mock(…)` (an
    /// `import { jest } from '@jest/globals'`), else nil.
    private static func mockCall(in bytes: [UInt8], _ statement: Range<Int>, _ regions: JavaScriptRegions) -> Int? {
        var index = statement.lowerBound
        let jest = Array("jest.".utf8)
        if !bytes[index...].starts(with: jest) {
            // One identifier and a dot before `jest.`.
            while index < statement.upperBound, JavaScriptRegions.isIdentifierByte(bytes[index]) { index += 1 }
            guard index > statement.lowerBound, index < statement.upperBound, bytes[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            guard bytes[index...].starts(with: jest) else { return nil }
        }
        index += jest.count
        for method in hoistedMethods where bytes[index...].starts(with: method) {
            let open = index + method.count - 1
            return regions.isCode(open) ? open : nil
        }
        return nil
    }

    /// The first argument when it is a string literal without escapes.
    private static func firstStringArgument(in bytes: [UInt8], from open: Int, _ regions: JavaScriptRegions) -> String? {
        var index = open + 1
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\n") { index += 1 }
        guard index < bytes.count, [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`")].contains(bytes[index]) else { return nil }
        let quote = bytes[index]
        var end = index + 1
        while end < bytes.count, bytes[end] != quote {
            if bytes[end] == UInt8(ascii: "\\") || bytes[end] == UInt8(ascii: "$") { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        return String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
    }

    /// A statement on one line: line breaks in code become spaces, in template literals `\n` escapes, line
    /// comments go; `X.jest.` becomes `jest.`, since `X` is not assigned yet where the call moves.
    private static func flattened(_ bytes: [UInt8], _ statement: Range<Int>, _ regions: JavaScriptRegions) -> [UInt8] {
        var output: [UInt8] = []
        var index = statement.lowerBound
        if let dot = bytes[statement].firstIndex(of: UInt8(ascii: ".")), !bytes[index...].starts(with: Array("jest.".utf8)) {
            index = dot + 1
        }
        while index < statement.upperBound {
            let byte = bytes[index]
            let isLineBreak = byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            switch regions.kind(at: index) {
            case .lineComment:
                break
            case .template where isLineBreak:
                if byte == UInt8(ascii: "\n") { output.append(contentsOf: Array("\\n".utf8)) }
            case .string where isLineBreak:
                // A line continuation (`\` at the end of a line) adds nothing to the string.
                if output.last == UInt8(ascii: "\\") { output.removeLast() }
            default:
                output.append(isLineBreak ? UInt8(ascii: " ") : byte)
            }
            index += 1
        }
        return output
    }
}

/// Which bytes of a JavaScript text are code, and which are inside strings, template literals, comments or
/// regular expressions: enough of a tokenizer to find statements and calls in esbuild's output.
struct JavaScriptRegions {
    enum Kind: UInt8 {
        case code, string, template, lineComment, blockComment, regularExpression
    }

    private let bytes: [UInt8]
    private var kinds: [Kind]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        kinds = Array(repeating: .code, count: bytes.count)
        classify()
    }

    func kind(at index: Int) -> Kind { kinds[index] }
    func isCode(_ index: Int) -> Bool { kinds[index] == .code }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
            || byte >= 0x80
    }

    /// The statements at the top level, each from its first byte through its `;` or closing `}`.
    func topLevelStatements() -> [Range<Int>] {
        var statements: [Range<Int>] = []
        var depth = 0
        var start: Int?
        for index in bytes.indices {
            let byte = bytes[index]
            guard kinds[index] == .code || kinds[index] == .string || kinds[index] == .template || kinds[index] == .regularExpression
            else { continue }
            if start == nil {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t") {
                    continue
                }
                start = index
            }
            guard kinds[index] == .code else { continue }
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                // A block or declaration ends here unless more of the expression follows on the line.
                if depth == 0, let statementStart = start, !continuesAfterBrace(index) {
                    statements.append(statementStart..<(index + 1))
                    start = nil
                }
            case UInt8(ascii: ";") where depth == 0:
                if let statementStart = start { statements.append(statementStart..<(index + 1)) }
                start = nil
            default:
                break
            }
        }
        return statements
    }

    /// Whether code goes on after a top-level `}` on the same line (`}, …` or `})` or `};`), so the statement does too.
    private func continuesAfterBrace(_ index: Int) -> Bool {
        var next = index + 1
        while next < bytes.count, bytes[next] == UInt8(ascii: " ") { next += 1 }
        return next < bytes.count && bytes[next] != UInt8(ascii: "\n") && bytes[next] != UInt8(ascii: "\r")
    }

    /// Whether the statement calls `require(` (not a method named so).
    func callsRequire(in statement: Range<Int>) -> Bool {
        let word = Array("require".utf8)
        var index = statement.lowerBound
        while index + word.count < statement.upperBound {
            if kinds[index] == .code, bytes[index...].starts(with: word), bytes[index + word.count] == UInt8(ascii: "("),
                index == 0 || (!Self.isIdentifierByte(bytes[index - 1]) && bytes[index - 1] != UInt8(ascii: "."))
            {
                return true
            }
            index += 1
        }
        return false
    }

    private mutating func classify() {
        var index = 0
        var braceDepth = 0
        // The brace depths at which `${` substitutions of template literals opened.
        var substitutions: [Int] = []
        var lastSignificant: UInt8?
        var lastWord: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            // A template literal starts, or a `${…}` substitution in one ends: template text goes on from here.
            let closesSubstitution = byte == UInt8(ascii: "}") && substitutions.last == braceDepth - 1
            if byte == UInt8(ascii: "`") || closesSubstitution {
                if closesSubstitution {
                    substitutions.removeLast()
                    braceDepth -= 1
                }
                let (end, opensSubstitution) = endOfTemplatePart(from: index + 1)
                index = mark(.template, from: index, through: end)
                if opensSubstitution {
                    substitutions.append(braceDepth)
                    braceDepth += 1
                    lastSignificant = UInt8(ascii: "{")
                } else {
                    lastSignificant = UInt8(ascii: "a")
                }
                lastWord = []
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                index = mark(.string, from: index, through: endOfString(from: index, quote: byte))
                lastSignificant = UInt8(ascii: "a")
                lastWord = []
                continue
            case UInt8(ascii: "/"):
                let next = index + 1 < bytes.count ? bytes[index + 1] : 0
                if next == UInt8(ascii: "/") {
                    var end = index
                    while end + 1 < bytes.count, bytes[end + 1] != UInt8(ascii: "\n") { end += 1 }
                    index = mark(.lineComment, from: index, through: end)
                    continue
                }
                if next == UInt8(ascii: "*") {
                    var end = index + 2
                    while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                    index = mark(.blockComment, from: index, through: min(end + 1, bytes.count - 1))
                    continue
                }
                if regularExpressionMayStart(after: lastSignificant, word: lastWord) {
                    index = mark(.regularExpression, from: index, through: endOfRegularExpression(from: index))
                    lastSignificant = UInt8(ascii: "a")
                    lastWord = []
                    continue
                }
            case UInt8(ascii: "{"):
                braceDepth += 1
            case UInt8(ascii: "}"):
                braceDepth = max(0, braceDepth - 1)
            default:
                break
            }
            if Self.isIdentifierByte(byte) {
                if let previous = index > 0 ? bytes[index - 1] : nil, Self.isIdentifierByte(previous), kinds[index - 1] == .code {
                    lastWord.append(byte)
                } else {
                    lastWord = [byte]
                }
                lastSignificant = byte
            } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\t") {
                lastSignificant = byte
                lastWord = []
            }
            index += 1
        }
    }

    /// Marks `start...end` as `kind` and returns the index after it.
    private mutating func mark(_ kind: Kind, from start: Int, through end: Int) -> Int {
        let last = min(end, bytes.count - 1)
        if start <= last {
            for index in start...last { kinds[index] = kind }
        }
        return last + 1
    }

    private func endOfString(from start: Int, quote: UInt8) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == quote { return index }
            index += 1
        }
        return bytes.count - 1
    }

    /// The end of a template literal's text from `start`: its closing backtick, or the `{` of a `${`.
    private func endOfTemplatePart(from start: Int) -> (end: Int, opensSubstitution: Bool) {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                index += 2
                continue
            case UInt8(ascii: "`"):
                return (index, false)
            case UInt8(ascii: "$") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "{"):
                return (index + 1, true)
            default:
                index += 1
            }
        }
        return (bytes.count - 1, false)
    }

    private func endOfRegularExpression(from start: Int) -> Int {
        var index = start + 1
        var inClass = false
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 1
            case UInt8(ascii: "["): inClass = true
            case UInt8(ascii: "]"): inClass = false
            case UInt8(ascii: "/") where !inClass:
                var end = index
                while end + 1 < bytes.count, Self.isIdentifierByte(bytes[end + 1]) { end += 1 }
                return end
            default: break
            }
            index += 1
        }
        return min(index, bytes.count - 1)
    }

    private static let keywordsBeforeExpressions: Set<[UInt8]> = Set(
        ["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]
            .map { Array($0.utf8) })

    /// A `/` begins a regular expression where an expression may begin: after an operator or punctuation, not after
    /// a value (a name, number, `)` or `]`).
    private func regularExpressionMayStart(after lastSignificant: UInt8?, word: [UInt8]) -> Bool {
        guard let lastSignificant else { return true }
        if !word.isEmpty { return Self.keywordsBeforeExpressions.contains(word) }
        return !Self.isIdentifierByte(lastSignificant) && lastSignificant != UInt8(ascii: ")") && lastSignificant != UInt8(ascii: "]")
            && lastSignificant != UInt8(ascii: "}")
    }
}
