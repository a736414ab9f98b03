extension UnsafeBufferPointer<UInt8> {
    /// The offset of the first quote, backslash or control character at or after `start`, or `count`: the bytes
    /// before it go into or out of a JSON string unchanged. Strings are most of an event, so this looks at eight
    /// bytes at a time.
    func endOfPlainStringBytes(from start: Int) -> Int {
        var index = start
        if let base = baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            while count - index >= 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                // The classic "has a zero byte" and "has a byte below n" tests: in each, the lowest set high bit
                // marks the first matching byte exactly (a borrow only runs upward from a match).
                let quotes = word ^ (ones &* 0x22)
                let backslashes = word ^ (ones &* 0x5C)
                let controls = (word &- ones &* 0x20) & ~word
                let found = (controls | (quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes) & (ones &* 0x80)
                if found != 0 { return index + found.trailingZeroBitCount / 8 }
                index += 8
            }
        }
        while index < count, !self[index].needsEscaping { index += 1 }
        return index
    }
}

extension UInt8 {
    /// A quote, backslash or control character: what a JSON string can't hold unescaped.
    var needsEscaping: Bool { self == UInt8(ascii: "\"") || self == UInt8(ascii: "\\") || self < 0x20 }
}
