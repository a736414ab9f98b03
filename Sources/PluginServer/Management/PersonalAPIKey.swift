import Crypto
import Foundation

/// Personal API keys (`phx_…`) and project tokens (`phc_…`): made from random bytes, personal keys stored hashed.
enum APIKeys {
    static func makePersonalAPIKey() -> String { "phx_" + randomToken() }
    static func makeProjectToken() -> String { "phc_" + randomToken() }

    /// What the database keeps of a personal API key: `sha256$<hex>`.
    static func hash(personalAPIKey key: String) -> String {
        "sha256$" + SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `phx_…abcd`: enough to recognise a key without revealing it.
    static func mask(personalAPIKey key: String) -> String {
        String(key.prefix(4)) + "…" + String(key.suffix(4))
    }

    private static func randomToken(length: Int = 40) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
