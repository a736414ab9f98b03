public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where, e.g. "unexpected character 'x' at line 1, column 5".
    public var description: String
}

extension JSONValue {
    /// Parses RFC 8259 JSON (after an optional UTF-8 byte order mark). A repeated object key keeps its first
    /// position and its last value, as `JSON.parse` does.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        // Typed throws can't cross this rethrowing closure, so the outcome travels out as a Result.
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(JSONSyntaxError) in try parse(contiguous: buffer) }
        }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in try parse(contiguous: buffer) }
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(text.utf8)
    }

    /// Parses like `parse` and also tells where each value was written, for a caller that must quote a value
    /// as its author wrote it (a plugin.json default shown in a form).
    package static func parseWithSpans(_ bytes: [UInt8]) throws(JSONSyntaxError) -> (value: JSONValue, span: JSONSpan) {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var parser = Parser(bytes: buffer, recordingSpans: true)
            let value = try parser.parseDocument()
            return (value, parser.spans!.root)
        }
    }

    private static func parse(contiguous buffer: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = Parser(bytes: buffer, recordingSpans: false)
        return try parser.parseDocument()
    }
}

/// Where a value was written: byte offsets into the parsed text, with the spans of its elements or members in
/// the value's own order (a repeated key's span is that of its last value, as the value is).
package struct JSONSpan: Sendable {
    package var range: Range<Int>
    package var children: [JSONSpan]
}

/// A recursive-descent parser over contiguous bytes: strings are decoded a run at a time, never per character.
private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Nil unless the caller asked for spans, so plain parsing pays one branch per value for them.
    var spans: SpanRecorder?

    init(bytes: UnsafeBufferPointer<UInt8>, recordingSpans: Bool) {
        self.bytes = bytes
        spans = recordingSpans ? SpanRecorder() : nil
    }

    /// Deep enough for any real document, shallow enough that recursion can't exhaust the stack.
    private static let maximumDepth = 512

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw unexpectedCharacter() }
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw error("values are nested too deeply") }
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        let start = index
        let value: JSONValue
        switch bytes[index] {
        case UInt8(ascii: "{"): value = .object(try parseMembers(depth: depth))
        case UInt8(ascii: "["): value = .array(try parseElements(depth: depth))
        case UInt8(ascii: "\""): value = .string(try parseString())
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            value = .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            value = .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let mayOverflow = try parseNumber()
            let number = text(start..<index)
            // As `JSON.parse` then `JSON.stringify`: a number past the largest Double is Infinity, written as null.
            value = mayOverflow && Double(number)?.isFinite != true ? .null : .number(number)
        default: throw unexpectedCharacter()
        }
        spans?.close(start..<index, isContainer: bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "["))
        return value
    }

    private mutating func parseMembers(depth: Int) throws(JSONSyntaxError) -> JSONObject {
        index += 1
        spans?.open()
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return JSONObject() }
        // Room for a small object at once, rather than growing through 1, 2 and 4 members.
        var members: [JSONObject.Member] = []
        members.reserveCapacity(8)
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpectedCharacter() }
            let key = try parseString()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw unexpectedCharacter() }
            members.append(JSONObject.Member(key: key, value: try parseValue(depth: depth + 1)))
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw unexpectedCharacter() }
        let object = JSONObject(members)
        if object.count < members.count { spans?.keepLastOfRepeatedKeys(members.map(\.key)) }
        return object
    }

    private mutating func parseElements(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
        index += 1
        spans?.open()
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return elements }
        repeat {
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw unexpectedCharacter() }
        return elements
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        var runStart = index
        index = bytes.endOfPlainStringBytes(from: index)
        var string = ""
        while index < bytes.count, bytes[index] == UInt8(ascii: "\\") {
            string += text(runStart..<index)
            string.unicodeScalars.append(try parseEscape())
            runStart = index
            index = bytes.endOfPlainStringBytes(from: index)
        }
        guard index < bytes.count else { throw error("unterminated string") }
        guard bytes[index] == UInt8(ascii: "\"") else { throw error("control character in a string") }
        // Most strings have no escape: they become one String straight from the buffer.
        let lastRun = text(runStart..<index)
        index += 1
        return string.isEmpty ? lastRun : string + lastRun
    }

    /// Reads one escape at its backslash; a lone UTF-16 surrogate, which Swift strings can't hold, becomes U+FFFD.
    private mutating func parseEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        index += 1
        guard index < bytes.count else { throw error("unterminated string") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(escaped)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHexQuad()
            if (0xD800..<0xDC00).contains(unit), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u")
            {
                let resume = index
                index += 2
                let low = try parseHexQuad()
                if (0xDC00..<0xE000).contains(low) {
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                }
                index = resume
            }
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        default:
            index -= 1
            throw error("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
        }
    }

    private mutating func parseHexQuad() throws(JSONSyntaxError) -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw error("invalid \\u escape") }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            unit = unit << 4 | UInt32(digit)
            index += 1
        }
        return unit
    }

    /// Skips a number and says whether it may be too large for a Double.
    private mutating func parseNumber() throws(JSONSyntaxError) -> Bool {
        let number = bytes.jsonNumber(from: index)
        index = number.end
        guard number.isValid else { throw unexpectedCharacter() }
        return number.mayOverflow
    }

    private mutating func parseLiteral(_ literal: String) throws(JSONSyntaxError) {
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw unexpectedCharacter() }
            index += 1
        }
    }

    /// Consumes `byte` if it comes next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Decodes a run of bytes at once; ill-formed UTF-8 becomes U+FFFD, as a browser's decoder does.
    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private func unexpectedCharacter() -> JSONSyntaxError {
        guard index < bytes.count else { return error("unexpected end of input") }
        let character = text(index..<min(index + 4, bytes.count)).first ?? "?"
        return error("unexpected character '\(character)'")
    }

    private func error(_ message: String) -> JSONSyntaxError {
        let before = bytes[..<index]
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let line = before.count(where: { $0 == 0x0A }) + 1
        let column = bytes[lineStart..<index].count(where: { $0 & 0xC0 != 0x80 }) + 1
        return JSONSyntaxError(description: "\(message) at line \(line), column \(column)")
    }
}

/// Builds the span tree beside the value tree while the parser descends.
private struct SpanRecorder {
    /// The finished children of each array or object still open; the first level holds the document's span.
    private var levels: [[JSONSpan]] = [[]]

    var root: JSONSpan { levels[0][0] }

    mutating func open() {
        levels.append([])
    }

    /// Ends the value written at `range`; a container's children are those collected since its `open`.
    mutating func close(_ range: Range<Int>, isContainer: Bool) {
        let children = isContainer ? levels.removeLast() : []
        levels[levels.count - 1].append(JSONSpan(range: range, children: children))
    }

    /// Gives the open object's spans the shape its members took: a repeated key keeps its first position and
    /// the span of its last value.
    mutating func keepLastOfRepeatedKeys(_ keys: [String]) {
        var positions: [String: Int] = [:]
        var kept: [JSONSpan] = []
        for (key, span) in zip(keys, levels[levels.count - 1]) {
            if let position = positions[key] {
                kept[position] = span
            } else {
                positions[key] = kept.count
                kept.append(span)
            }
        }
        levels[levels.count - 1] = kept
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The JSON number written from `start`: where it ends, or where it stops being one when it isn't valid; and
    /// whether it may be too large for a Double — whether its integer digits plus its exponent could reach
    /// 10^308. Only those few need converting to find out.
    func jsonNumber(from start: Int) -> (end: Int, isValid: Bool, mayOverflow: Bool) {
        var index = start
        func consume(_ byte: UInt8) -> Bool {
            guard index < count, self[index] == byte else { return false }
            index += 1
            return true
        }
        func skipDigits() -> Bool {
            let first = index
            while index < count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self[index]) { index += 1 }
            return index > first
        }
        _ = consume(UInt8(ascii: "-"))
        let integerStart = index
        if !consume(UInt8(ascii: "0")) {
            guard skipDigits() else { return (index, false, false) }
        }
        let integerDigits = index - integerStart
        if consume(UInt8(ascii: ".")) {
            guard skipDigits() else { return (index, false, false) }
        }
        var exponent = 0
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            let isNegative = consume(UInt8(ascii: "-"))
            if !isNegative { _ = consume(UInt8(ascii: "+")) }
            let exponentStart = index
            guard skipDigits() else { return (index, false, false) }
            for digit in self[exponentStart..<index] {
                exponent = Swift.min(exponent * 10 + Int(digit - UInt8(ascii: "0")), 1_000_000)
            }
            if isNegative { exponent = -exponent }
        }
        return (index, true, integerDigits + exponent > 300)
    }
}
