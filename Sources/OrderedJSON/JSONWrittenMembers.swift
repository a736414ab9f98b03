/// A member of an object read where it was written: the bytes of its key (between the quotes) and of its value.
package struct WrittenMember: Sendable, Equatable {
    package var key: Range<Int>
    package var value: Range<Int>
}

extension JSONValue {
    /// The members of the object written at `bytes[range]`, in order, each as where its key and value were written;
    /// the values are checked as JSON but never built. A caller parses the few values it needs and copies the rest
    /// as written, at a fraction of parsing it all. With `expandedKey`, the members of that member's value, when
    /// it is an object, are read in the same pass.
    ///
    /// Nil unless the text is exactly what ``serialized()`` writes for the value it holds — no whitespace, only
    /// the escapes it writes, well-formed UTF-8, numbers within Double, no repeated key at any depth — so the bytes
    /// of a value are what parsing and serializing it would give, and a key has one spelling: its UTF-8 when it
    /// holds no quote, backslash or control character. `JSON.stringify` writes that form, and so does Quill;
    /// anything else (or anything that isn't JSON) is left to `parse`.
    package static func writtenMembers(
        of bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>, expanding expandedKey: String? = nil
    ) -> (members: [WrittenMember], expanded: [WrittenMember]?)? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
        var scanner = WrittenFormScanner(
            bytes: UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), index: range.lowerBound,
            expandedKey: expandedKey.map { Array($0.utf8) })
        guard scanner.skipObject(depth: 0, collecting: .members), scanner.index == range.upperBound else { return nil }
        return (scanner.members, scanner.expanded)
    }
}

/// Walks JSON in the form ``JSONValue/serialized()`` writes, failing (false or nil) at anything else.
private struct WrittenFormScanner {
    /// The text, ending where the scanned value must end.
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    let expandedKey: [UInt8]?
    var members: [WrittenMember] = []
    var expanded: [WrittenMember]?
    /// A hash of each key of the objects being read, innermost last. Two equal hashes fail the scan as a repeated
    /// key does: a collision of different keys (never expected) only sends the text to the full parser.
    private var keyHashes: [UInt64] = []

    enum Collecting { case nothing, members, expanded }

    init(bytes: UnsafeBufferPointer<UInt8>, index: Int, expandedKey: [UInt8]?) {
        self.bytes = bytes
        self.index = index
        self.expandedKey = expandedKey
    }

    /// As the parser's limit, so a value it reads is one this reads.
    private static let maximumDepth = 512
    /// Up to this many keys an object's hashes are compared pairwise as they come; past it they are sorted once.
    private static let pairwiseKeyCount = 32

    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < Self.maximumDepth, index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return skipObject(depth: depth, collecting: .nothing)
        case UInt8(ascii: "["): return skipArray(depth: depth)
        case UInt8(ascii: "\""): return skipString() != nil
        case UInt8(ascii: "t"): return skipLiteral("true")
        case UInt8(ascii: "f"): return skipLiteral("false")
        case UInt8(ascii: "n"): return skipLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return skipNumber()
        default: return false
        }
    }

    mutating func skipObject(depth: Int, collecting: Collecting) -> Bool {
        guard depth < Self.maximumDepth, consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        let firstKey = keyHashes.count
        defer { keyHashes.removeSubrange(firstKey...) }
        repeat {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = skipString() else { return false }
            let hash = hashOf(key)
            if keyHashes.count - firstKey < Self.pairwiseKeyCount, keyHashes[firstKey...].contains(hash) { return false }
            keyHashes.append(hash)
            guard consume(UInt8(ascii: ":")) else { return false }
            let value = index
            if collecting == .members, let expandedKey, expanded == nil, index < bytes.count,
                bytes[index] == UInt8(ascii: "{"), bytes[key].elementsEqual(expandedKey)
            {
                expanded = []
                guard skipObject(depth: depth + 1, collecting: .expanded) else { return false }
            } else {
                guard skipValue(depth: depth + 1) else { return false }
            }
            switch collecting {
            case .nothing: break
            case .members: members.append(WrittenMember(key: key, value: value..<index))
            case .expanded: expanded?.append(WrittenMember(key: key, value: value..<index))
            }
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { return false }
        if keyHashes.count - firstKey > Self.pairwiseKeyCount {
            let sorted = keyHashes[firstKey...].sorted()
            if zip(sorted, sorted.dropFirst()).contains(where: { $0 == $1 }) { return false }
        }
        return true
    }

    private mutating func skipArray(depth: Int) -> Bool {
        index += 1
        if consume(UInt8(ascii: "]")) { return true }
        repeat {
            guard skipValue(depth: depth + 1) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]"))
    }

    /// The range of the string's content, between its quotes.
    private mutating func skipString() -> Range<Int>? {
        index += 1
        let start = index
        while true {
            index = bytes.endOfPlainStringBytes(from: index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") { break }
            guard bytes[index] == UInt8(ascii: "\\"), skipEscape() else { return nil }
        }
        let content = start..<index
        index += 1
        if !isASCII(content), String(validating: UnsafeBufferPointer(rebasing: bytes[content]), as: UTF8.self) == nil {
            return nil
        }
        return content
    }

    private func isASCII(_ range: Range<Int>) -> Bool {
        var high: UInt8 = 0
        for offset in range { high |= bytes[offset] }
        return high < 0x80
    }

    /// FNV-1a of a key's bytes.
    private func hashOf(_ range: Range<Int>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for offset in range { hash = (hash ^ UInt64(bytes[offset])) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Only the escapes the writer makes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx` (lowercase) for
    /// the other control characters.
    private mutating func skipEscape() -> Bool {
        guard index + 1 < bytes.count else { return false }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
            return true
        case UInt8(ascii: "u"):
            guard index + 6 <= bytes.count, bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0")
            else { return false }
            let high = bytes[index + 4]
            let low = bytes[index + 5]
            let lowValue: UInt8
            switch low {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): lowValue = low - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): lowValue = low - UInt8(ascii: "a") + 10
            default: return false
            }
            guard high == UInt8(ascii: "0") || high == UInt8(ascii: "1") else { return false }
            let control = (high - UInt8(ascii: "0")) << 4 | lowValue
            guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(control) else { return false }
            index += 6
            return true
        default:
            return false
        }
    }

    /// A number as the parser reads it, and within Double (the parser writes one past it as `null`).
    private mutating func skipNumber() -> Bool {
        let start = index
        let number = bytes.jsonNumber(from: index)
        index = number.end
        guard number.isValid else { return false }
        guard number.mayOverflow else { return true }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))?.isFinite == true
    }

    private mutating func skipLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }
}
