/// pieroxy's lz-string 1.4.x, base64 flavour: the `lz64` compression of old posthog-js.
///
/// It is an LZW variant over UTF-16 code units, written as 6-bit groups in the base64 alphabet.
public enum LZString {
    /// LZ-string's decompressFromBase64 (pieroxy/lz-string 1.4.x), as posthog-js's lz64 uses. Returns nil where lz-string returns null/"" for invalid input; throws only if output exceeds maximumOutput (UTF-16 code units).
    ///
    /// Also nil where lz-string would throw (a stream whose first code is not a literal). A valid empty stream
    /// ("Q===") is "". Lone surrogates in the output become U+FFFD, as Swift strings can't hold them.
    public static func decompressFromBase64(_ input: String, maximumOutput: Int = .max) throws(CompressionError) -> String? {
        guard !input.isEmpty else { return nil }
        var reader = BitReader(Array(input.utf16))
        var decoder = Decoder(maximumOutput: maximumOutput)
        return try decoder.decode(&reader).map { String(decoding: $0, as: UTF16.self) }
    }

    /// LZ-string's compressToBase64, so tests (and our own clients) can produce lz64 bodies.
    public static func compressToBase64(_ input: String) -> String {
        var encoder = Encoder()
        for unit in input.utf16 {
            encoder.add(unit)
        }
        return encoder.finish()
    }
}

extension LZString {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)

    /// Base64 value per ASCII code unit; like lz-string, anything outside the alphabet reads as 0.
    private static let alphabetValues: [Int] = {
        var values = [Int](repeating: 0, count: 128)
        for (value, character) in alphabet.enumerated() {
            values[Int(character)] = value
        }
        return values
    }()

    /// Codes 0 and 1 announce an 8- or 16-bit literal code unit; 2 ends the stream; dictionary entries start at 3.
    private enum Code {
        static let literal8 = 0
        static let literal16 = 1
        static let end = 2
    }

    /// Reads lz-string's bit order: 6 bits per character, most significant first, values least significant bit first.
    private struct BitReader {
        let units: [UInt16]
        var value: Int
        var mask = 32
        /// Index of the character after the one being read, as lz-string counts it.
        var next = 1

        init(_ units: [UInt16]) {
            self.units = units
            value = Self.value(of: units, at: 0)
        }

        /// lz-string gives up once it has started reading past the end of the input.
        var isExhausted: Bool { next > units.count }

        mutating func read(_ count: Int) -> Int {
            var bits = 0
            for shift in 0..<count {
                if value & mask != 0 {
                    bits |= 1 << shift
                }
                mask >>= 1
                if mask == 0 {
                    mask = 32
                    value = Self.value(of: units, at: next)
                    next += 1
                }
            }
            return bits
        }

        private static func value(of units: [UInt16], at index: Int) -> Int {
            guard index < units.count, units[index] < 128 else { return 0 }
            return LZString.alphabetValues[Int(units[index])]
        }
    }

    /// Every dictionary entry is the previous output piece plus the first unit of the next, so each is a range of the output.
    private struct Decoder {
        let maximumOutput: Int
        var output: [UInt16] = []
        /// Entries 0–2 stand for the control codes and are never looked up.
        var dictionary: [Range<Int>] = Array(repeating: 0..<0, count: 3)
        var enlargeIn = 4
        var numBits = 3

        init(maximumOutput: Int) {
            self.maximumOutput = maximumOutput
        }

        mutating func decode(_ reader: inout BitReader) throws(CompressionError) -> [UInt16]? {
            var previous: Range<Int>
            switch reader.read(2) {
            case Code.literal8: previous = try appendLiteral(reader.read(8))
            case Code.literal16: previous = try appendLiteral(reader.read(16))
            case Code.end: return []
            default: return nil  // lz-string would go on with an `undefined` entry; no valid stream starts so.
            }
            while true {
                guard !reader.isExhausted else { return nil }
                let code = reader.read(numBits)
                let entry: Range<Int>
                switch code {
                case Code.literal8, Code.literal16:
                    entry = try appendLiteral(reader.read(code == Code.literal8 ? 8 : 16))
                    countEntry()
                case Code.end:
                    return output
                case ..<dictionary.count:
                    entry = try appendCopy(of: dictionary[code])
                case dictionary.count:
                    // The entry this very code defines: previous plus its own first unit. previous ends the output,
                    // so copying one unit past it picks up that first unit as the copy's own first unit.
                    entry = try appendCopy(of: previous.lowerBound..<(previous.upperBound + 1))
                default:
                    return nil
                }
                // previous and entry are adjacent in the output, so previous + entry's first unit is one range.
                dictionary.append(previous.lowerBound..<(entry.lowerBound + 1))
                countEntry()
                previous = entry
            }
        }

        /// A literal is both output and a new dictionary entry.
        private mutating func appendLiteral(_ bits: Int) throws(CompressionError) -> Range<Int> {
            try reserve(1)
            output.append(UInt16(bits))
            let entry = (output.count - 1)..<output.count
            dictionary.append(entry)
            return entry
        }

        private mutating func appendCopy(of range: Range<Int>) throws(CompressionError) -> Range<Int> {
            try reserve(range.count)
            let start = output.count
            for index in range {
                output.append(output[index])
            }
            return start..<output.count
        }

        private func reserve(_ count: Int) throws(CompressionError) {
            guard count <= maximumOutput - output.count else {
                throw .tooLarge(maximumOutput, unit: "UTF-16 code units")
            }
        }

        /// Codes widen by one bit each time the dictionary outgrows the current width (lz-string's `enlargeIn`).
        private mutating func countEntry() {
            enlargeIn -= 1
            if enlargeIn == 0 {
                enlargeIn = 1 << numBits
                numBits += 1
            }
        }
    }

    /// Writes 6-bit groups as base64 characters, in the same bit order `BitReader` reads.
    private struct BitWriter {
        var characters: [UInt8] = []
        var value = 0
        var position = 0

        mutating func write(_ bits: Int, count: Int) {
            var bits = bits
            for _ in 0..<count {
                value = (value << 1) | (bits & 1)
                bits >>= 1
                if position == 5 {
                    characters.append(LZString.alphabet[value])
                    value = 0
                    position = 0
                } else {
                    position += 1
                }
            }
        }

        /// Pads the last character with zero bits (a whole zero character if none is pending, as lz-string does),
        /// then pads to a multiple of four with "=".
        mutating func finish() -> String {
            while position != 5 {
                value <<= 1
                position += 1
            }
            characters.append(LZString.alphabet[value << 1])
            let padding = (4 - characters.count % 4) % 4
            characters += repeatElement(UInt8(ascii: "="), count: padding)
            return String(decoding: characters, as: UTF8.self)
        }
    }

    /// lz-string's `_compress`: the dictionary is a trie keyed by (prefix code, next unit).
    private struct Encoder {
        var writer = BitWriter()
        /// Codes of single units; a unit is sent as a literal the first time it is emitted.
        var units: [UInt16: Int] = [:]
        var unsentLiterals: Set<UInt16> = []
        var extensions: [UInt64: Int] = [:]
        var dictionarySize = 3
        var enlargeIn = 2
        var numBits = 2
        /// The longest dictionary string matching the pending input: its code, and its unit when it is a single one.
        var pending: (code: Int, unit: UInt16?)?

        mutating func add(_ unit: UInt16) {
            let unitCode: Int
            if let code = units[unit] {
                unitCode = code
            } else {
                unitCode = newCode()
                units[unit] = unitCode
                unsentLiterals.insert(unit)
            }
            guard let pending else {
                self.pending = (unitCode, unit)
                return
            }
            let key = UInt64(pending.code) << 16 | UInt64(unit)
            if let code = extensions[key] {
                self.pending = (code, nil)
            } else {
                emit(pending)
                extensions[key] = newCode()
                self.pending = (unitCode, unit)
            }
        }

        mutating func finish() -> String {
            if let pending {
                emit(pending)
            }
            writer.write(Code.end, count: numBits)
            return writer.finish()
        }

        private mutating func newCode() -> Int {
            defer { dictionarySize += 1 }
            return dictionarySize
        }

        private mutating func emit(_ string: (code: Int, unit: UInt16?)) {
            if let unit = string.unit, unsentLiterals.remove(unit) != nil {
                if unit < 256 {
                    writer.write(Code.literal8, count: numBits)
                    writer.write(Int(unit), count: 8)
                } else {
                    writer.write(Code.literal16, count: numBits)
                    writer.write(Int(unit), count: 16)
                }
                countEntry()
            } else {
                writer.write(string.code, count: numBits)
            }
            countEntry()
        }

        /// Mirrors the decoder's `countEntry`, so both widen codes at the same point.
        private mutating func countEntry() {
            enlargeIn -= 1
            if enlargeIn == 0 {
                enlargeIn = 1 << numBits
                numBits += 1
            }
        }
    }
}
