import Crypto
import Foundation
import JavaScriptEngine
import _CryptoExtras

/// The Swift side of `crypto`: hashes and HMACs over swift-crypto, and the system's secure random source; also the
/// RS256 signature of `@google-cloud/storage`'s service-account JWTs.
enum CryptoBindings {
    /// A stored function value: Swift 6.3 crashes converting a method reference inside `installers`' literal.
    static let installer: NativeBindings.Installer = install(on:in:)

    static func install(on native: ScriptValue, in context: ScriptContext) throws(ScriptError) {
        // `cryptoHasher(algorithm, key?)`: a function that hashes its argument (a UTF-8 string or a
        // byte array) and, called with none, returns the digest; `null` for an unknown algorithm.
        // The hasher lives in that function's closure, so it goes away with the JavaScript object.
        try native.set(
            "cryptoHasher",
            context.function { arguments, this in
                guard let name = arguments.first, name.isString, let algorithm = HashAlgorithm(name: try name.toString())
                else { return this.context.null }
                var key: [UInt8]?
                if arguments.count > 1 {
                    guard let bytes = try arguments[1].bytesOrUTF8() else {
                        throw HostFunctionError(name: "TypeError", message: "key must be a string or a byte array")
                    }
                    key = bytes
                }
                let hasher = algorithm.makeHasher(key: key)
                return this.context.function { arguments, this in
                    guard let data = arguments.first else { return try this.context.uint8Array(hasher.finalize()) }
                    guard let bytes = try data.bytesOrUTF8() else {
                        throw HostFunctionError(name: "TypeError", message: "data must be a string or a byte array")
                    }
                    bytes.withUnsafeBytes { hasher.update($0) }
                    return nil
                }
            })
        try native.set(
            "cryptoRandomBytes",
            context.function { arguments, this in
                let count = try arguments.first?.toNumber() ?? 0
                guard count >= 0, count <= Double(Int32.max) else {
                    throw HostFunctionError(name: "RangeError", message: "size is out of range")
                }
                return try this.context.uint8Array(randomBytes(Int(count)))
            })
        // `cryptoSignRSASHA256(pem, data)`: the RSASSA-PKCS1-v1_5 SHA-256 signature (JWT's RS256) of `data` (a
        // UTF-8 string or a byte array) with the PEM private key (PKCS#1 or PKCS#8, 2048 bits or more).
        try native.set(
            "cryptoSignRSASHA256",
            context.function { arguments, this in
                guard arguments.count == 2, arguments[0].isString, let data = try arguments[1].bytesOrUTF8() else {
                    throw HostFunctionError(name: "TypeError", message: "expected a PEM private key and a string or a byte array")
                }
                let pem = try arguments[0].toString()
                let key: _RSA.Signing.PrivateKey
                do {
                    key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
                } catch {
                    throw HostFunctionError(message: "the private key is not a PEM RSA private key of 2048 bits or more")
                }
                let signature: _RSA.Signing.RSASignature
                do {
                    signature = try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
                } catch {
                    throw HostFunctionError(message: "signing failed: \(error)")
                }
                return try this.context.uint8Array(Array(signature.rawRepresentation))
            })
        try native.set(
            "cryptoRandomUUID",
            context.function { _, this in this.context.string(UUID().uuidString.lowercased()) })
        try native.set(
            "cryptoTimingSafeEqual",
            context.function { arguments, this in
                guard arguments.count == 2, let a = try arguments[0].bytes(), let b = try arguments[1].bytes(), a.count == b.count
                else { throw HostFunctionError(name: "TypeError", message: "expected two byte arrays of the same length") }
                // Every byte is compared, whatever differs first, so the time tells nothing of where.
                var difference: UInt8 = 0
                for index in a.indices {
                    difference |= a[index] ^ b[index]
                }
                return this.context.boolean(difference == 0)
            })
    }

    /// `count` bytes from the system's cryptographically secure generator, eight at a time.
    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var offset = 0
            while offset < count {
                let word = generator.next()
                for shift in stride(from: 0, to: min(8, count - offset) * 8, by: 8) {
                    buffer[offset] = UInt8(truncatingIfNeeded: word >> shift)
                    offset += 1
                }
            }
            initialized = count
        }
    }
}

/// The digests `crypto` offers, under the names (and OpenSSL aliases) Node accepts.
private enum HashAlgorithm {
    case md5, sha1, sha256, sha384, sha512

    init?(name: String) {
        switch name.lowercased() {
        case "md5", "rsa-md5", "ssl3-md5": self = .md5
        case "sha1", "sha-1", "rsa-sha1", "ssl3-sha1": self = .sha1
        case "sha256", "sha-256", "rsa-sha256": self = .sha256
        case "sha384", "sha-384", "rsa-sha384": self = .sha384
        case "sha512", "sha-512", "rsa-sha512": self = .sha512
        default: return nil
        }
    }

    /// A plain hasher, or an HMAC one when there is a key.
    func makeHasher(key: [UInt8]?) -> any IncrementalHasher {
        switch self {
        case .md5: Self.makeHasher(Insecure.MD5.self, key: key)
        case .sha1: Self.makeHasher(Insecure.SHA1.self, key: key)
        case .sha256: Self.makeHasher(SHA256.self, key: key)
        case .sha384: Self.makeHasher(SHA384.self, key: key)
        case .sha512: Self.makeHasher(SHA512.self, key: key)
        }
    }

    private static func makeHasher<Function: HashFunction>(_: Function.Type, key: [UInt8]?) -> any IncrementalHasher {
        guard let key else { return DigestHasher<Function>() }
        return HMACHasher<Function>(key: key)
    }
}

/// One running hash, owned by the JavaScript function that feeds it.
private protocol IncrementalHasher: AnyObject {
    func update(_ bytes: UnsafeRawBufferPointer)
    func finalize() -> [UInt8]
}

private final class DigestHasher<Function: HashFunction>: IncrementalHasher {
    private var function = Function()

    func update(_ bytes: UnsafeRawBufferPointer) {
        function.update(bufferPointer: bytes)
    }

    func finalize() -> [UInt8] {
        Array(function.finalize())
    }
}

private final class HMACHasher<Function: HashFunction>: IncrementalHasher {
    private var hmac: HMAC<Function>

    init(key: [UInt8]) {
        hmac = HMAC(key: SymmetricKey(data: key))
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        hmac.update(data: bytes)
    }

    func finalize() -> [UInt8] {
        Array(hmac.finalize())
    }
}

extension ScriptValue {
    /// A string's UTF-8 bytes, or a byte array's bytes; `nil` for anything else.
    fileprivate func bytesOrUTF8() throws(ScriptError) -> [UInt8]? {
        isString ? Array(try toString().utf8) : try bytes()
    }
}
