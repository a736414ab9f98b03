import Crypto
import Foundation
import PluginManifest
import PluginRuntime
import Storage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the values of config fields marked `secret` encrypted in the database: AES-GCM under the
/// server's key, `QUILL_SECRET_KEY` or else `secret.key` in the data folder.
///
/// A sealed value is `$quill_encrypted:v1:<base64 of nonce, ciphertext and tag>`, so a stored
/// value tells what it is: plaintext ones (stored before secrets were encrypted, or by a field a
/// plugin update made secret) are sealed by ``sealPlaintextSecrets(of:in:)``, and sealed ones are
/// opened only to build a VM's `meta.config`.
public struct ConfigSecrets: Sendable {
    static let prefix = "$quill_encrypted:v1:"
    /// The key file's name in the data folder.
    public static let keyFileName = "secret.key"
    static let keySize = 32

    private let key: SymmetricKey

    init(key: SymmetricKey) {
        self.key = key
    }

    /// The server's key: `QUILL_SECRET_KEY` when set, else the data folder's `secret.key`, made on
    /// first use, readable by its owner only.
    ///
    /// - Throws: ``ConfigurationError`` for a key file others may read, of the wrong size, or that
    ///   can't be read or made.
    public static func load(for configuration: ServerConfiguration) throws(ConfigurationError) -> ConfigSecrets {
        if let key = configuration.secretKey { return ConfigSecrets(key: SymmetricKey(data: key)) }
        return ConfigSecrets(key: try keyFromFile(at: configuration.dataDirectory.appending(path: keyFileName).path))
    }

    /// Reads `QUILL_SECRET_KEY`: the base64 of 32 bytes. The value is never repeated in an error.
    static func key(environmentValue: String) throws(ConfigurationError) -> Data {
        guard let key = Data(base64Encoded: environmentValue.trimmingCharacters(in: .whitespacesAndNewlines)),
            key.count == keySize
        else {
            throw ConfigurationError(
                description: "QUILL_SECRET_KEY must be the base64 of \(keySize) random bytes, such as `head -c \(keySize) /dev/urandom | base64` prints")
        }
        return key
    }

    private static func keyFromFile(at path: String) throws(ConfigurationError) -> SymmetricKey {
        let files = FileManager.default
        // Not following a link: the key is a file of its own, whose permissions are checked.
        guard let attributes = try? files.attributesOfItem(atPath: path) else {
            guard files.fileExists(atPath: path) else { return try makeKeyFile(at: path) }
            throw ConfigurationError(description: "\(path), the key that encrypts plugin secrets, can't be read")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ConfigurationError(description: "\(path) must be a file holding the key that encrypts plugin secrets")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw ConfigurationError(
                description: "\(path) holds the key that encrypts plugin secrets, but other users may read it (mode \(String(mode, radix: 8))): run chmod 600 \(path)")
        }
        guard let key = files.contents(atPath: path) else {
            throw ConfigurationError(description: "\(path), the key that encrypts plugin secrets, can't be read")
        }
        guard key.count == keySize else {
            throw ConfigurationError(
                description: "\(path) must hold the \(keySize)-byte key that encrypts plugin secrets; it holds \(key.count) bytes")
        }
        return SymmetricKey(data: key)
    }

    /// Creates the key file with a new random key, 0600 from the start.
    private static func makeKeyFile(at path: String) throws(ConfigurationError) -> SymmetricKey {
        let key = SymmetricKey(size: .bits256)
        let file = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw fileError("can't be created", path: path) }
        let written = key.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        let synced = fsync(file) == 0
        close(file)
        guard written == keySize, synced else {
            unlink(path)
            throw fileError("can't be written", path: path)
        }
        return key
    }

    private static func fileError(_ what: String, path: String) -> ConfigurationError {
        ConfigurationError(
            description: "\(path), the key that encrypts plugin secrets, \(what): \(String(cString: strerror(errno))); or set QUILL_SECRET_KEY")
    }

    // MARK: Sealing and opening

    static func isSealed(_ value: String) -> Bool { value.hasPrefix(prefix) }

    /// The keys of the fields `schema` (plugin.json's `config` as stored) marks secret.
    static func secretKeys(schema: String) -> Set<String> {
        Set(((try? PluginManifest.configSchema(fromJSON: schema)) ?? []).filter(\.isSecret).compactMap(\.key))
    }

    /// `values` with every non-empty value of a secret field sealed, except those kept exactly as
    /// they are stored in `stored`, sealed already.
    func sealingSecrets(
        of values: [String: String], secretKeys: Set<String>, keeping stored: [String: String] = [:]
    ) throws -> [String: String] {
        var sealed = values
        for key in secretKeys {
            guard let value = values[key], !value.isEmpty, !(Self.isSealed(value) && stored[key] == value) else { continue }
            guard let combined = try AES.GCM.seal(Data(value.utf8), using: self.key).combined else {
                throw ConfigurationError(description: "AES-GCM gave no sealed value for config field '\(key)'")
            }
            sealed[key] = Self.prefix + combined.base64EncodedString()
        }
        return sealed
    }

    /// The config values a VM sees: every sealed value opened.
    func opened(_ config: PluginConfigDefinition) throws(SecretOpeningError) -> [String: String] {
        var values = config.config
        for (key, value) in config.config where Self.isSealed(value) {
            guard let data = Data(base64Encoded: String(value.dropFirst(Self.prefix.count))),
                let box = try? AES.GCM.SealedBox(combined: data), let plaintext = try? AES.GCM.open(box, using: self.key),
                let text = String(data: plaintext, encoding: .utf8)
            else { throw SecretOpeningError(pluginConfigID: config.id, pluginName: config.pluginName, field: key) }
            values[key] = text
        }
        return values
    }

    /// Seals the secret values `configs` keep in plaintext; returns how many configs changed.
    @discardableResult
    func sealPlaintextSecrets(of configs: [PluginConfigRecord], in store: any PluginStore) async throws -> Int {
        var schemas: [Int: Set<String>] = [:]
        var changed = 0
        for config in configs {
            if schemas[config.pluginID] == nil {
                schemas[config.pluginID] = Self.secretKeys(schema: try await store.plugin(id: config.pluginID)?.configSchema ?? "[]")
            }
            let sealed = try sealingSecrets(of: config.config, secretKeys: schemas[config.pluginID] ?? [], keeping: config.config)
            guard sealed != config.config else { continue }
            try await store.updatePluginConfig(id: config.id, enabled: nil, order: nil, config: sealed)
            changed += 1
        }
        return changed
    }
}

/// A stored secret this server's key doesn't open: it was sealed under another key, or damaged.
struct SecretOpeningError: Error, CustomStringConvertible {
    var pluginConfigID: Int
    var pluginName: String
    var field: String

    var description: String {
        "Plugin config \(pluginConfigID) (\(pluginName)): its secret field '\(field)' can't be decrypted with this server's key "
            + "(QUILL_SECRET_KEY, or \(ConfigSecrets.keyFileName) in the data folder), so the config is not loaded. "
            + "Start the server with the key it was encrypted with, or enter the field's value again."
    }
}
