import Crypto
import Foundation

/// A tarball's expected digest: npm's Subresource Integrity string (`sha512-BASE64`, several allowed), or the
/// older `shasum` (sha1 in hex). Like npm's ssri, the strongest algorithm listed is the one checked.
struct NpmIntegrity: Sendable, CustomStringConvertible {
    enum Algorithm: Int, Comparable {
        case sha1, sha256, sha384, sha512

        init?(name: Substring) {
            switch name {
            case "sha1": self = .sha1
            case "sha256": self = .sha256
            case "sha384": self = .sha384
            case "sha512": self = .sha512
            default: return nil
            }
        }

        var name: String { ["sha1", "sha256", "sha384", "sha512"][rawValue] }

        static func < (lhs: Algorithm, rhs: Algorithm) -> Bool { lhs.rawValue < rhs.rawValue }

        func digest(_ bytes: [UInt8]) -> Data {
            switch self {
            case .sha1: Data(Insecure.SHA1.hash(data: bytes))
            case .sha256: Data(SHA256.hash(data: bytes))
            case .sha384: Data(SHA384.hash(data: bytes))
            case .sha512: Data(SHA512.hash(data: bytes))
            }
        }
    }

    let algorithm: Algorithm
    /// Any of these digests is accepted (an SRI string may list several of one algorithm).
    let digests: [Data]

    /// From `dist.integrity`, or else `dist.shasum`; nil when neither holds a digest Quill can check.
    init?(integrity: String?, shasum: String?) {
        var found: [(Algorithm, Data)] = []
        for token in (integrity ?? "").split(whereSeparator: \.isWhitespace) {
            guard let dash = token.firstIndex(of: "-"), let algorithm = Algorithm(name: token[..<dash]) else { continue }
            // `?options` may follow the digest.
            let encoded = token[token.index(after: dash)...].prefix { $0 != "?" }
            if let digest = Data(base64Encoded: String(encoded)) { found.append((algorithm, digest)) }
        }
        if let strongest = found.map(\.0).max() {
            algorithm = strongest
            digests = found.filter { $0.0 == strongest }.map(\.1)
        } else if let shasum, shasum.count == 40, let digest = Data(hexadecimal: shasum) {
            algorithm = .sha1
            digests = [digest]
        } else {
            return nil
        }
    }

    func matches(_ bytes: [UInt8]) -> Bool {
        let actual = algorithm.digest(bytes)
        return digests.contains(actual)
    }

    /// As an SRI string, what the lock records.
    var description: String {
        digests.map { "\(algorithm.name)-\($0.base64EncodedString())" }.joined(separator: " ")
    }
}

extension Data {
    fileprivate init?(hexadecimal text: String) {
        var bytes: [UInt8] = []
        var characters = text.makeIterator()
        while let high = characters.next() {
            guard let low = characters.next(), let byte = UInt8("\(high)\(low)", radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}
