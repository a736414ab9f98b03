import EventIngestion
import Testing

@Suite struct TimestampTests {
    @Test func writesAndReadsTheFirstAndLastMillisecondOfTheFourDigitYears() throws {
        let first = try #require(Timestamp(millisecondsSince1970: Timestamp.validMilliseconds.lowerBound))
        let last = try #require(Timestamp(millisecondsSince1970: Timestamp.validMilliseconds.upperBound))
        #expect(first.iso8601 == "0000-01-01T00:00:00.000Z")
        #expect(last.iso8601 == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp(iso8601: first.iso8601) == first)
        #expect(Timestamp(iso8601: last.iso8601) == last)
    }

    @Test(arguments: [Int64.min, Int64.max, Timestamp.validMilliseconds.lowerBound - 1, Timestamp.validMilliseconds.upperBound + 1])
    func refusesMillisecondsOutsideTheFourDigitYears(milliseconds: Int64) {
        #expect(Timestamp(millisecondsSince1970: milliseconds) == nil)
    }

    @Test(arguments: [1e20, -1e20, 9.3e18, -9.3e18, Double.infinity, -Double.infinity, Double.nan, Double.greatestFiniteMagnitude])
    func refusesNumbersNoTimeCanBe(value: Double) {
        #expect(Timestamp(millisecondsSince1970: value) == nil)
    }

    @Test func cutsTheFractionOfANumberOfMilliseconds() {
        #expect(Timestamp(millisecondsSince1970: 1_700_000_000_123.9)?.millisecondsSince1970 == 1_700_000_000_123)
    }

    @Test func addingThatWouldOverflowOrLeaveTheYearsIsNil() throws {
        let now = try #require(Timestamp(iso8601: "2026-12-01T12:00:00Z"))
        #expect(now.adding(milliseconds: .max) == nil)
        #expect(now.adding(milliseconds: .min) == nil)
        #expect(now.adding(milliseconds: 300_000 * 365 * 86_400_000) == nil)
        #expect(now.adding(milliseconds: -150)?.iso8601 == "2026-12-01T11:59:59.850Z")
    }

    @Test(arguments: [
        ("2026-11-21T12:00:00.5Z", "2026-11-21T12:00:00.500Z"),
        ("2026-11-21T12:00:00.12Z", "2026-11-21T12:00:00.120Z"),
        ("2026-11-21T12:00:00.123456789Z", "2026-11-21T12:00:00.123Z"),
        ("2026-11-21 12:00:00+04:00", "2026-11-21T08:00:00.000Z"),
        ("2026-11-21T12:00-0130", "2026-11-21T13:30:00.000Z"),
        ("2026-11-21", "2026-11-21T00:00:00.000Z"),
    ])
    func readsWhatClientsSend(text: String, expected: String) {
        #expect(Timestamp(iso8601: text)?.iso8601 == expected)
    }

    @Test(arguments: [
        "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "2026-11-21T12:00:00+99:00", "2026-13-01",
        "2026-11-21T25:00:00Z", "2026-11-21T12:00:00.Z", "20261121", "", "2026-11-21T12:00:00Zjunk",
        "٢٠٢٦-11-21",
    ])
    func refusesWhatIsNoTimeInTheFourDigitYears(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }
}
