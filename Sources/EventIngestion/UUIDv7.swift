#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization

/// A time-ordered UUID (RFC 9562 version 7), as PostHog assigns to events without one.
package enum UUIDv7 {
    /// The UUID's text as PostHog writes it: lowercase hex with hyphens.
    package static func make(at timestamp: Timestamp = .now) -> String {
        var bytes = randomBytes.withLock { $0.take() }
        let milliseconds = UInt64(max(0, timestamp.millisecondsSince1970))
        withUnsafeMutableBytes(of: &bytes) { buffer in
            for index in 0..<6 { buffer[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
            buffer[6] = 0x70 | (buffer[6] & 0x0F)
            buffer[8] = 0x80 | (buffer[8] & 0x3F)
        }
        return withUnsafeBytes(of: bytes) { buffer in
            String(unsafeUninitializedCapacity: 36) { text in
                var written = 0
                for (index, byte) in buffer.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[written] = UInt8(ascii: "-")
                        written += 1
                    }
                    text[written] = hexDigits[Int(byte >> 4)]
                    text[written + 1] = hexDigits[Int(byte & 0x0F)]
                    written += 2
                }
                return written
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Drawn from the system a page at a time: one call serves 256 UUIDs, where asking per UUID
    /// made the call a visible share of capture's CPU.
    private static let randomBytes = Mutex(RandomPool())

    private struct RandomPool: ~Copyable {
        private var words = [UInt64](repeating: 0, count: 512)
        private var next = 512

        mutating func take() -> (UInt64, UInt64) {
            if next == words.count {
                // glibc's arc4random_buf is one getrandom call (a loop over short reads); Darwin's never fails either.
                words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                next = 0
            }
            defer { next += 2 }
            return (words[next], words[next + 1])
        }
    }
}
