package import Foundation

/// Milliseconds since 1970 in UTC, within the years 0000–9999, read from and written as ISO 8601.
///
/// Hand-written rather than a `DateFormatter`: it runs for every event, and must accept what
/// clients send (offsets, any number of fraction digits, a space for `T`, epoch milliseconds).
/// Every way to make one is checked: a value from a request, a plugin or a stored row that falls
/// outside the four-digit years gives `nil`, never a trap or a date that can't be written back.
package struct Timestamp: Comparable, Hashable, Sendable {
    package let millisecondsSince1970: Int64

    /// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
    package static let validMilliseconds: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    package init?(millisecondsSince1970: Int64) {
        guard Self.validMilliseconds.contains(millisecondsSince1970) else { return nil }
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// A number of milliseconds as JSON or JavaScript give it: fractions are cut, non-finite values are `nil`.
    package init?(millisecondsSince1970 value: Double) {
        guard value.isFinite, let milliseconds = Int64(exactly: value.rounded(.towardZero)) else { return nil }
        self.init(millisecondsSince1970: milliseconds)
    }

    /// The clock's time; clamped into the valid years, which a working clock never leaves.
    package init(_ date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let range = Self.validMilliseconds
        millisecondsSince1970 =
            milliseconds.isNaN ? 0 : Int64(min(max(milliseconds, Double(range.lowerBound)), Double(range.upperBound)))
    }

    package static var now: Timestamp { Timestamp(Date()) }

    package var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }

    /// This time moved by `milliseconds`; `nil` when that leaves the valid years.
    package func adding(milliseconds: Int64) -> Timestamp? {
        let (sum, overflow) = millisecondsSince1970.addingReportingOverflow(milliseconds)
        return overflow ? nil : Timestamp(millisecondsSince1970: sum)
    }

    /// Milliseconds from `other` to this time; never overflows, both being in the valid years.
    package func milliseconds(since other: Timestamp) -> Int64 {
        millisecondsSince1970 - other.millisecondsSince1970
    }

    /// `2026-11-21T12:00:00.000Z`: sorts as text in time order.
    package var iso8601: String {
        let milliseconds = Int(((millisecondsSince1970 % 1000) + 1000) % 1000)
        let seconds = (millisecondsSince1970 - Int64(milliseconds)) / 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = Self.civilDate(fromDays: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(milliseconds, 3))Z"
    }

    /// Parses `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` (or a space for `T`) and `Z`/`±HH:MM`/`±HHMM`
    /// (no zone means UTC). `nil` for anything else, and for a zone that moves it out of the valid years.
    package init?(iso8601 text: String) {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"), let month = scanner.number(digits: 2),
            scanner.skip("-"), let day = scanner.number(digits: 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var milliseconds = Int64(Self.days(year: year, month: month, day: day)) * 86_400_000
        if scanner.skip("T") || scanner.skip("t") || scanner.skip(" ") {
            guard let hour = scanner.number(digits: 2), scanner.skip(":"), let minute = scanner.number(digits: 2),
                hour < 24, minute < 60
            else { return nil }
            var second = 0
            var fraction = 0
            if scanner.skip(":") {
                guard let value = scanner.number(digits: 2), value < 61 else { return nil }
                second = value
                if scanner.skip(".") || scanner.skip(",") {
                    guard let (digits, count) = scanner.digitRun(), count > 0 else { return nil }
                    // Milliseconds from the first three fraction digits.
                    fraction = digits.prefix(3).reduce(0) { $0 * 10 + Int($1 - 48) } * (count == 1 ? 100 : count == 2 ? 10 : 1)
                }
            }
            milliseconds += Int64(((hour * 60 + minute) * 60 + second) * 1000 + fraction)
            if scanner.skip("Z") || scanner.skip("z") {
            } else if let sign = scanner.sign() {
                guard let offsetHours = scanner.number(digits: 2), offsetHours < 24 else { return nil }
                _ = scanner.skip(":")
                let offsetMinutes = scanner.number(digits: 2) ?? 0
                guard offsetMinutes < 60 else { return nil }
                milliseconds -= Int64(sign * (offsetHours * 60 + offsetMinutes) * 60_000)
            }
        }
        guard scanner.isAtEnd else { return nil }
        self.init(millisecondsSince1970: milliseconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
        index += 1
        return true
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        index += digits
        return value
    }

    /// The digits from here on, as bytes, and how many there are.
    mutating func digitRun() -> (ArraySlice<UInt8>, Int)? {
        let start = index
        while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        return (bytes[start..<index], index - start)
    }
}
