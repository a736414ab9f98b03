import Foundation
import PostgresNIO

/// A query parameter as node-postgres sends it: text of no declared type (OID 0, so the server reads it
/// as the column or expression needs: a JSON string into `jsonb`, `'42'` into `int`), or bytes in binary
/// form for `bytea`. The module has already turned the plugin's value into one of these (`prepareValue`).
enum PgParameter: PostgresDynamicTypeEncodable, Sendable {
    case text(String)
    case bytes([UInt8])

    var psqlType: PostgresDataType { .null }

    var psqlFormat: PostgresFormat {
        switch self {
        case .text: .text
        case .bytes: .binary
        }
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        switch self {
        case .text(let text): byteBuffer.writeString(text)
        case .bytes(let bytes): byteBuffer.writeBytes(bytes)
        }
    }
}

/// A result value read from PostgreSQL's binary form, as far as Swift takes it: the module finishes it as
/// node-postgres's default type parsers would (a `Date` of milliseconds, `JSON.parse` of json text, a
/// `Buffer` of bytes), by the column's type.
indirect enum PgValue: Sendable, Equatable {
    case null
    case number(Double)
    case text(String)
    case boolean(Bool)
    case bytes([UInt8])
    case array([PgValue])

    /// Reads a cell of type `type` (an OID) in binary form. What Swift doesn't know is read as UTF-8 text:
    /// that is the binary form of text-like types (enums, `citext`, `xml`, …); bytes that aren't UTF-8 stay bytes.
    init(binary bytes: ByteBuffer?, type: UInt32) {
        guard var buffer = bytes else {
            self = .null
            return
        }
        let data = Array(buffer.readableBytesView)
        switch type {
        case 16: self = .boolean(data.first == 1)
        case 17: self = .bytes(data)
        case 21: self = buffer.readInteger(as: Int16.self).map { .number(Double($0)) } ?? .null
        case 23: self = buffer.readInteger(as: Int32.self).map { .number(Double($0)) } ?? .null
        case 26: self = buffer.readInteger(as: UInt32.self).map { .number(Double($0)) } ?? .null
        // int8 stays text, as node-postgres leaves it: a double can't hold every one.
        case 20: self = buffer.readInteger(as: Int64.self).map { .text(String($0)) } ?? .null
        // float4 as its shortest decimal, as PostgreSQL's text form (and so node-postgres's parseFloat) has it.
        case 700: self = buffer.readInteger(as: UInt32.self).map { .number(Double(String(Float(bitPattern: $0)))!) } ?? .null
        case 701: self = buffer.readInteger(as: UInt64.self).map { .number(Double(bitPattern: $0)) } ?? .null
        case 1700: self = Self.numericText(&buffer).map(PgValue.text) ?? .null
        // jsonb's binary form is a version byte, then the text.
        case 3802: self = .text(String(decoding: data.dropFirst(), as: UTF8.self))
        // timestamp, timestamptz: microseconds since 2000-01-01 (UTC, or the wall clock) → milliseconds since 1970.
        case 1114, 1184: self = buffer.readInteger(as: Int64.self).map { .number(Self.milliseconds(microseconds: $0)) } ?? .null
        // date: days since 2000-01-01.
        case 1082:
            self = buffer.readInteger(as: Int32.self).map { days in
                switch days {
                case .max: .number(.infinity)
                case .min: .number(-.infinity)
                default: .number((Double(days) + Self.daysFrom1970To2000) * 86_400_000)
                }
            } ?? .null
        case 2950:
            self = data.count == 16 ? .text(UUID(uuid: Self.tuple(data)).uuidString.lowercased()) : .null
        // time: microseconds since midnight; timetz adds its zone, in seconds west of UTC.
        case 1083: self = buffer.readInteger(as: Int64.self).map { .text(Self.timeText($0)) } ?? .null
        case 1266:
            guard let time = buffer.readInteger(as: Int64.self), let west = buffer.readInteger(as: Int32.self) else {
                self = .null
                return
            }
            self = .text(Self.timeText(time) + Self.zoneText(east: -Int(west)))
        case 869, 650: self = Self.networkText(&buffer, isCIDR: type == 650).map(PgValue.text) ?? .null
        // interval: microseconds, days and months, kept apart (as PostgreSQL does) for the module's interval object.
        case 1186:
            guard let microseconds = buffer.readInteger(as: Int64.self), let days = buffer.readInteger(as: Int32.self),
                let months = buffer.readInteger(as: Int32.self)
            else {
                self = .null
                return
            }
            self = .array([.number(Double(months)), .number(Double(days)), .number(Double(microseconds))])
        case _ where Self.arrayTypes.contains(type):
            self = Self.array(&buffer) ?? .null
        default:
            self = String(validating: data, as: UTF8.self).map(PgValue.text) ?? .bytes(data)
        }
    }

    private static let daysFrom1970To2000 = 10_957.0

    private static func milliseconds(microseconds: Int64) -> Double {
        switch microseconds {
        case .max: .infinity
        case .min: -.infinity
        default: (Double(microseconds) / 1000).rounded(.down) + daysFrom1970To2000 * 86_400_000
        }
    }

    /// The array types node-postgres parses into arrays (of bool, bytea, int2, int4, int8, text, varchar, bpchar,
    /// float4, float8, numeric, json, jsonb, timestamp, timestamptz, date, uuid).
    static let arrayTypes: Set<UInt32> = [
        1000, 1001, 1005, 1007, 1016, 1009, 1015, 1014, 1021, 1022, 1231, 199, 3807, 1115, 1185, 1182, 2951,
    ]

    /// An array's binary form: dimensions, flags, element type, each dimension's length and lower bound,
    /// then the elements (length-prefixed, -1 for null), nested as the dimensions say.
    private static func array(_ buffer: inout ByteBuffer) -> PgValue? {
        guard let dimensions = buffer.readInteger(as: Int32.self), (0...6).contains(dimensions),
            buffer.readInteger(as: Int32.self) != nil, let elementType = buffer.readInteger(as: UInt32.self)
        else { return nil }
        var lengths: [Int] = []
        for _ in 0..<dimensions {
            guard let length = buffer.readInteger(as: Int32.self), length >= 0, buffer.readInteger(as: Int32.self) != nil
            else { return nil }
            lengths.append(Int(length))
        }
        func elements(_ level: Int) -> PgValue? {
            var values: [PgValue] = []
            for _ in 0..<(lengths.isEmpty ? 0 : lengths[level]) {
                if level + 1 < lengths.count {
                    guard let nested = elements(level + 1) else { return nil }
                    values.append(nested)
                    continue
                }
                guard let length = buffer.readInteger(as: Int32.self) else { return nil }
                if length < 0 {
                    values.append(.null)
                } else {
                    guard let slice = buffer.readSlice(length: Int(length)) else { return nil }
                    values.append(PgValue(binary: slice, type: elementType))
                }
            }
            return .array(values)
        }
        return elements(0)
    }

    /// numeric's binary form as PostgreSQL writes it in text: base-10000 digits with a weight (the first
    /// digit's power of 10000), a sign and the number of decimals to show.
    private static func numericText(_ buffer: inout ByteBuffer) -> String? {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), let scale = buffer.readInteger(as: Int16.self), count >= 0
        else { return nil }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        var digits: [Int] = []
        for _ in 0..<count {
            guard let digit = buffer.readInteger(as: Int16.self) else { return nil }
            digits.append(Int(digit))
        }
        let digit = { (index: Int) in index >= 0 && index < digits.count ? digits[index] : 0 }
        var text = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            text += "0"
        } else {
            text += String(digit(0))
            for index in stride(from: 1, through: Int(weight), by: 1) {
                let group = String(digit(index))
                text += String(repeating: "0", count: 4 - group.count) + group
            }
        }
        if scale > 0 {
            var fraction = ""
            var index = Int(weight) + 1
            while fraction.count < Int(scale) {
                let group = String(digit(index))
                fraction += String(repeating: "0", count: 4 - group.count) + group
                index += 1
            }
            text += "." + fraction.prefix(Int(scale))
        }
        return text
    }

    /// `12:30:00`, `12:30:00.5`: as PostgreSQL writes a time, the fraction without trailing zeros.
    private static func timeText(_ microseconds: Int64) -> String {
        let seconds = microseconds / 1_000_000
        let two = { (value: Int64) in value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
        let fraction = microseconds % 1_000_000
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    /// `+02`, `-05:30`: a zone `east` seconds east of UTC, as PostgreSQL writes it.
    private static func zoneText(east: Int) -> String {
        let seconds = abs(east)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        var text = (east < 0 ? "-" : "+") + two(seconds / 3600)
        if seconds % 3600 != 0 { text += ":" + two(seconds / 60 % 60) }
        if seconds % 60 != 0 { text += ":" + two(seconds % 60) }
        return text
    }

    /// inet and cidr: family (2 for IPv4, 3 for IPv6), prefix length, whether it is cidr, address length, address.
    /// Written as PostgreSQL does: an inet's prefix only when it isn't the whole address.
    private static func networkText(_ buffer: inout ByteBuffer, isCIDR: Bool) -> String? {
        guard let family = buffer.readInteger(as: UInt8.self), let bits = buffer.readInteger(as: UInt8.self),
            buffer.readInteger(as: UInt8.self) != nil, let length = buffer.readInteger(as: UInt8.self),
            let bytes = buffer.readBytes(length: Int(length)), bytes.count == (family == 2 ? 4 : 16)
        else { return nil }
        let value = bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        let address = family == 2 ? FetchAddress(ipv4: UInt32(value)) : FetchAddress(bits: value)
        return isCIDR || Int(bits) != bytes.count * 8 ? "\(address)/\(bits)" : "\(address)"
    }

    private static func tuple(_ bytes: [UInt8]) -> uuid_t {
        (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
            bytes[12], bytes[13], bytes[14], bytes[15]
        )
    }
}
