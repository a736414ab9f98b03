extension JSONValue {
    /// Compact JSON text: keys in order, numbers as written, strings escaped minimally (", \\, control chars as
    /// \n \t … or \u00XX; everything else, including non-ASCII and "/", written as is, UTF-8), as `JSON.stringify`
    /// writes them, so `JSON.parse` reads back the same value.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        // Most events fit in the first kilobyte; bigger values grow the one buffer geometrically.
        output.reserveCapacity(1024)
        write(to: &output)
        return output
    }

    public var serializedString: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    private func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(true): output.append(contentsOf: "true".utf8)
        case .bool(false): output.append(contentsOf: "false".utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let string): Self.write(string, to: &output)
        // Elements and members are read in place: iterating would copy (retain and release) each one.
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            elements.withUnsafeBufferPointer { elements in
                for position in elements.indices {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    elements[position].write(to: &output)
                }
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            object.members.withUnsafeBufferPointer { members in
                for position in members.indices {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    Self.write(members[position].key, to: &output)
                    output.append(UInt8(ascii: ":"))
                    members[position].value.write(to: &output)
                }
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func write(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        if string.utf8.withContiguousStorageIfAvailable({ writeEscaped($0, to: &output) }) == nil {
            var string = string
            string.withUTF8 { writeEscaped($0, to: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var index = 0
        while true {
            let end = utf8.endOfPlainStringBytes(from: index)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[index..<end]))
            guard end < utf8.count else { break }
            writeEscape(utf8[end], to: &output)
            index = end + 1
        }
    }

    private static func writeEscape(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
            // Only control characters are left: U+0000 to U+001F, lowercase as `JSON.stringify` writes them.
            let low = byte & 0x0F
            output.append(contentsOf: byte < 0x10 ? "u000".utf8 : "u001".utf8)
            output.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
        }
    }
}
