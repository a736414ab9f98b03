/// Bounds on what plugin code can make the server keep. Everything a plugin produces is treated as
/// hostile: past a bound it gets a clear error (naming the setting that moves the bound) or its
/// output is dropped and counted, never unbounded growth.

/// `console` output of one plugin config.
public struct PluginLogLimits: Sendable, Equatable {
    /// `QUILL_PLUGIN_LOG_BURST`: console lines a config may write at once before the rate applies.
    public var burst: Int
    /// `QUILL_PLUGIN_LOG_RATE`: console lines a second a config may write after its burst.
    public var linesPerSecond: Int
    /// `QUILL_PLUGIN_LOG_LINE_LENGTH`: the longest message kept, in characters as JavaScript counts them
    /// (UTF-16 code units); longer ones are cut, with a marker saying how much.
    public var maximumLineLength: Int
    /// `QUILL_PLUGIN_LOG_ENTRIES`: log entries the database keeps per config; older ones are pruned.
    public var entriesPerConfig: Int

    public init(burst: Int = 1_000, linesPerSecond: Int = 100, maximumLineLength: Int = 16_384, entriesPerConfig: Int = 10_000) {
        self.burst = burst
        self.linesPerSecond = linesPerSecond
        self.maximumLineLength = maximumLineLength
        self.entriesPerConfig = entriesPerConfig
    }

    /// What ends a message cut after its first `maximumLineLength` characters, `removed` being the rest.
    public static func cutMarker(removed: Int) -> String {
        "… [cut \(groupedDigits(removed)) characters]"
    }

    /// `message`, cut to `maximumLineLength` characters with a ``cutMarker(removed:)`` when longer;
    /// `length` is the whole line's when `message` is already its head.
    public func cut(_ message: String, length: Int = 0) -> String {
        let length = max(length, message.utf16.count)
        guard length > maximumLineLength else { return message }
        let end = message.utf16.index(message.utf16.startIndex, offsetBy: min(maximumLineLength, message.utf16.count))
        return String(message[..<end]) + Self.cutMarker(removed: length - maximumLineLength)
    }
}

/// `meta.cache`: one namespace is one plugin's keys in one team, as PostHog's Redis keys are.
public struct PluginCacheLimits: Sendable, Equatable {
    /// `QUILL_CACHE_MAX_KEY_BYTES`: the longest key (UTF-8 bytes).
    public var maximumKeyBytes: Int
    /// `QUILL_CACHE_MAX_VALUE_BYTES`: the largest value, or list element (UTF-8 bytes).
    public var maximumValueBytes: Int
    /// `QUILL_CACHE_MAX_KEYS`: keys one namespace may hold (expired ones don't count).
    public var maximumKeysPerNamespace: Int
    /// `QUILL_CACHE_MAX_LIST_LENGTH`: elements one `lpush` list may hold.
    public var maximumListLength: Int
    /// `QUILL_CACHE_MAX_BYTES`: bytes of keys and values one namespace may hold, so that all tenants
    /// together stay bounded too.
    public var maximumNamespaceBytes: Int

    public init(
        maximumKeyBytes: Int = 1_024, maximumValueBytes: Int = 1 << 20, maximumKeysPerNamespace: Int = 10_000,
        maximumListLength: Int = 10_000, maximumNamespaceBytes: Int = 64 << 20
    ) {
        self.maximumKeyBytes = maximumKeyBytes
        self.maximumValueBytes = maximumValueBytes
        self.maximumKeysPerNamespace = maximumKeysPerNamespace
        self.maximumListLength = maximumListLength
        self.maximumNamespaceBytes = maximumNamespaceBytes
    }
}

extension PluginCacheLimits {
    /// Refuses a key longer than `maximumKeyBytes`: the same words from every cache store.
    public func checkKey(_ key: PluginCacheKey) throws(PluginCacheError) {
        let bytes = key.name.utf8.count
        guard bytes <= maximumKeyBytes else {
            throw PluginCacheError(
                description: "cache key is \(groupedDigits(bytes)) bytes, over the limit of "
                    + "\(groupedDigits(maximumKeyBytes)) (QUILL_CACHE_MAX_KEY_BYTES)")
        }
    }

    /// Refuses a value or list element larger than `maximumValueBytes`.
    public func checkValue(_ value: String, at key: PluginCacheKey) throws(PluginCacheError) {
        let bytes = value.utf8.count
        guard bytes <= maximumValueBytes else {
            throw PluginCacheError(
                description: "cache value for '\(key)' is \(groupedDigits(bytes)) bytes, over the limit of "
                    + "\(groupedDigits(maximumValueBytes)) (QUILL_CACHE_MAX_VALUE_BYTES)")
        }
    }

    /// Refuses a list that would grow to `length` elements, past `maximumListLength`.
    public func checkListLength(_ length: Int, at key: PluginCacheKey) throws(PluginCacheError) {
        guard length <= maximumListLength else {
            throw PluginCacheError(
                description: "cache list '\(key)' would hold \(groupedDigits(length)) elements, over the limit of "
                    + "\(groupedDigits(maximumListLength)) (QUILL_CACHE_MAX_LIST_LENGTH)")
        }
    }
}

/// `meta.storage` and `meta.utils.cursor` of one plugin config.
public struct PluginStorageLimits: Sendable, Equatable {
    /// `QUILL_STORAGE_MAX_KEY_BYTES`: the longest key (UTF-8 bytes).
    public var maximumKeyBytes: Int
    /// `QUILL_STORAGE_MAX_VALUE_BYTES`: the largest value, as JSON text (UTF-8 bytes).
    public var maximumValueBytes: Int
    /// `QUILL_STORAGE_MAX_KEYS`: keys one config may hold, and cursors separately.
    public var maximumKeysPerConfig: Int

    public init(maximumKeyBytes: Int = 1_024, maximumValueBytes: Int = 1 << 20, maximumKeysPerConfig: Int = 10_000) {
        self.maximumKeyBytes = maximumKeyBytes
        self.maximumValueBytes = maximumValueBytes
        self.maximumKeysPerConfig = maximumKeysPerConfig
    }

    /// Throws when `key` (and `json`, if given) is over its bound.
    public func check(key: String, json: String? = nil) throws(PluginStorageError) {
        let keyBytes = key.utf8.count
        guard keyBytes <= maximumKeyBytes else {
            throw PluginStorageError(
                description: "storage key is \(groupedDigits(keyBytes)) bytes, over the limit of "
                    + "\(groupedDigits(maximumKeyBytes)) (QUILL_STORAGE_MAX_KEY_BYTES)")
        }
        if let valueBytes = json?.utf8.count, valueBytes > maximumValueBytes {
            throw PluginStorageError(
                description: "storage value for '\(key)' is \(groupedDigits(valueBytes)) bytes of JSON, over the limit of "
                    + "\(groupedDigits(maximumValueBytes)) (QUILL_STORAGE_MAX_VALUE_BYTES)")
        }
    }

    /// The error for a config that already holds `maximumKeysPerConfig` keys (or cursors) and asks for another.
    public func tooManyKeys(_ key: String, kind: String = "keys") -> PluginStorageError {
        PluginStorageError(
            description: "storage of this plugin config already holds \(groupedDigits(maximumKeysPerConfig)) \(kind), "
                + "the limit (QUILL_STORAGE_MAX_KEYS): '\(key)' was not added; delete keys first")
    }
}

/// A bound of `meta.storage` was passed.
public struct PluginStorageError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A token bucket: `burst` tokens at once, refilled at `perSecond`.
public struct TokenBucket: Sendable {
    private let burst: Double
    private let perSecond: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    public init(burst: Int, perSecond: Int, now: ContinuousClock.Instant = .now) {
        self.burst = Double(burst)
        self.perSecond = Double(perSecond)
        tokens = Double(burst)
        updated = now
    }

    /// Whether the bucket has refilled to its burst by `now`: a quiet spell as long as a burst ended.
    public func isFull(now: ContinuousClock.Instant = .now) -> Bool {
        tokens + perSecond * Self.seconds(updated.duration(to: now)) >= burst
    }

    /// Takes a token if there is one.
    public mutating func take(now: ContinuousClock.Instant = .now) -> Bool {
        tokens = min(burst, tokens + perSecond * Self.seconds(updated.duration(to: now)))
        updated = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    private static func seconds(_ duration: Duration) -> Double {
        max(0, Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

/// `1048576` as `1,048,576`, the same in every locale.
public func groupedDigits(_ number: Int) -> String {
    let digits = String(number.magnitude)
    var grouped = ""
    for (offset, digit) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { grouped.append(",") }
        grouped.append(digit)
    }
    return number < 0 ? "-" + grouped : grouped
}
