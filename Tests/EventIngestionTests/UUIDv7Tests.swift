@testable import EventIngestion
import Foundation
import Testing

@Suite struct UUIDv7Tests {
    @Test func isLowercaseVersion7TextWithTheMillisecondsFirst() throws {
        let at = try #require(Timestamp(millisecondsSince1970: Int64(0x0123_4567_89AB)))
        let text = UUIDv7.make(at: at)
        #expect(text.count == 36)
        #expect(text.hasPrefix("01234567-89ab-7"))
        #expect("89ab".contains(Array(text)[19]), "the RFC 9562 variant")
        #expect(text == text.lowercased())
        #expect(UUID(uuidString: text)?.uuidString.lowercased() == text)
    }

    @Test func staysUniqueAcrossManyRefillsOfTheRandomPool() {
        let at = Timestamp.now
        // 256 UUIDs come from each refill; 2,000 cross several, all in the same millisecond.
        let made = Set((0..<2_000).map { _ in UUIDv7.make(at: at) })
        #expect(made.count == 2_000)
    }
}
