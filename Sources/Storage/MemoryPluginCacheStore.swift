import Synchronization

/// The embedded ``PluginCacheStore``: in memory, with time-to-live, on an injectable clock.
///
/// Each namespace is bounded (``PluginCacheLimits``) in keys and bytes, so all tenants together are
/// too; expired entries are removed, not just hidden: every so often all of them, and a namespace's
/// own before a bound refuses anything.
public final class MemoryPluginCacheStore<TimeSource: Clock>: PluginCacheStore where TimeSource.Duration == Duration {
    private enum Value {
        case string(String)
        /// Tail first, so that pushing onto the head appends.
        case list([String])
    }

    private struct Entry {
        var value: Value
        var expiry: TimeSource.Instant?
        /// The UTF-8 bytes of the key and the value (or every element), counted against the namespace.
        var bytes: Int
    }

    private struct Namespace {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private struct State {
        var namespaces: [String: Namespace] = [:]
        var operationsSinceSweep = 0
    }

    private let clock: TimeSource
    private let limits: PluginCacheLimits
    private let state = Mutex(State())

    public init(clock: TimeSource, limits: PluginCacheLimits = PluginCacheLimits()) {
        self.clock = clock
        self.limits = limits
    }

    public func get(_ key: PluginCacheKey) async throws -> String? {
        try withLiveNamespace(key) { namespace, _ in
            switch namespace.entries[key.name]?.value {
            case nil: return nil
            case .string(let value): return value
            case .list: throw wrongType(key)
            }
        }
    }

    public func set(_ key: PluginCacheKey, to value: String, ttl: Duration?) async throws {
        try limits.checkValue(value, at: key)
        let expiry = ttl.map { clock.now.advanced(by: $0) }
        try withLiveNamespace(key) { namespace, now in
            try store(Entry(value: .string(value), expiry: expiry, bytes: value.utf8.count), at: key, in: &namespace, now: now)
        }
    }

    public func increment(_ key: PluginCacheKey) async throws -> Int {
        try withLiveNamespace(key) { namespace, now in
            var entry = namespace.entries[key.name] ?? Entry(value: .string("0"), expiry: nil, bytes: 1)
            guard case .string(let text) = entry.value, let number = Int(text) else {
                throw PluginCacheError(description: "cache value at '\(key)' is not an integer")
            }
            let (sum, overflow) = number.addingReportingOverflow(1)
            guard !overflow else { throw PluginCacheError(description: "cache value at '\(key)' would overflow") }
            let value = String(sum)
            entry.value = .string(value)
            entry.bytes = value.utf8.count
            try store(entry, at: key, in: &namespace, now: now)
            return sum
        }
    }

    public func expire(_ key: PluginCacheKey, after ttl: Duration) async throws -> Bool {
        try withLiveNamespace(key) { namespace, now in
            guard var entry = namespace.entries[key.name] else { return false }
            if ttl <= .zero {
                try store(nil, at: key, in: &namespace, now: now)
            } else {
                entry.expiry = clock.now.advanced(by: ttl)
                try store(entry, at: key, in: &namespace, now: now)
            }
            return true
        }
    }

    public func pushFront(_ key: PluginCacheKey, _ values: [String]) async throws -> Int {
        for value in values { try limits.checkValue(value, at: key) }
        return try withLiveNamespace(key) { namespace, now in
            var entry = namespace.entries[key.name] ?? Entry(value: .list([]), expiry: nil, bytes: 0)
            guard case .list(var list) = entry.value else { throw wrongType(key) }
            let length = list.count + values.count
            try limits.checkListLength(length, at: key)
            list.append(contentsOf: values)
            entry.value = .list(list)
            entry.bytes += values.reduce(0) { $0 + $1.utf8.count }
            try store(entry, at: key, in: &namespace, now: now)
            return length
        }
    }

    public func range(_ key: PluginCacheKey, from start: Int, through stop: Int) async throws -> [String] {
        try withLiveNamespace(key) { namespace, _ in
            let tailFirst = try list(at: key, in: namespace)
            let count = tailFirst.count
            let lower = max(start < 0 ? count + start : start, 0)
            let upper = min(stop < 0 ? count + stop : stop, count - 1)
            guard lower <= upper else { return [] }
            // Head-first index i is tail-first index count - 1 - i.
            return Array(tailFirst[(count - 1 - upper)...(count - 1 - lower)].reversed())
        }
    }

    public func length(_ key: PluginCacheKey) async throws -> Int {
        try withLiveNamespace(key) { namespace, _ in try list(at: key, in: namespace).count }
    }

    public func remove(_ key: PluginCacheKey, count: Int, value: String) async throws -> Int {
        try withLiveNamespace(key) { namespace, now in
            let tailFirst = try list(at: key, in: namespace)
            var removed = 0
            let limit = count == 0 || count == .min ? Int.max : abs(count)
            // Positive counts remove from the head, which is the end of the tail-first array.
            let indices = count > 0 ? Array(tailFirst.indices.reversed()) : Array(tailFirst.indices)
            var doomed = Set<Int>()
            for index in indices where removed < limit && tailFirst[index] == value {
                doomed.insert(index)
                removed += 1
            }
            let kept = tailFirst.enumerated().filter { !doomed.contains($0.offset) }.map(\.element)
            try storeList(kept, at: key, in: &namespace, now: now)
            return removed
        }
    }

    public func popFront(_ key: PluginCacheKey, count: Int) async throws -> [String] {
        try withLiveNamespace(key) { namespace, now in
            var tailFirst = try list(at: key, in: namespace)
            let taken = min(max(count, 0), tailFirst.count)
            let popped = Array(tailFirst.suffix(taken).reversed())
            tailFirst.removeLast(taken)
            try storeList(tailFirst, at: key, in: &namespace, now: now)
            return popped
        }
    }

    private func list(at key: PluginCacheKey, in namespace: Namespace) throws -> [String] {
        switch namespace.entries[key.name]?.value {
        case nil: return []
        case .list(let list): return list
        case .string: throw wrongType(key)
        }
    }

    /// Stores a shrunk list back; like Redis, an emptied list no longer exists.
    private func storeList(_ tailFirst: [String], at key: PluginCacheKey, in namespace: inout Namespace, now: TimeSource.Instant)
        throws
    {
        guard var entry = namespace.entries[key.name], !tailFirst.isEmpty else {
            return try store(nil, at: key, in: &namespace, now: now)
        }
        entry.value = .list(tailFirst)
        entry.bytes = tailFirst.reduce(0) { $0 + $1.utf8.count }
        try store(entry, at: key, in: &namespace, now: now)
    }

    /// Puts `entry` (`nil` removes) at `key`, keeping the namespace's byte count and refusing what
    /// would take it past its bounds.
    private func store(_ entry: Entry?, at key: PluginCacheKey, in namespace: inout Namespace, now: TimeSource.Instant) throws {
        guard let entry else {
            if let old = namespace.entries.removeValue(forKey: key.name) { namespace.bytes -= old.bytes + key.name.utf8.count }
            return
        }
        try limits.checkKey(key)
        let keyBytes = key.name.utf8.count
        let old = namespace.entries[key.name]
        let (isNew, oldBytes) = (old == nil, old.map { $0.bytes + keyBytes } ?? 0)
        let grownBytes = namespace.bytes - oldBytes + entry.bytes + keyBytes
        if (isNew && namespace.entries.count >= limits.maximumKeysPerNamespace) || grownBytes > limits.maximumNamespaceBytes {
            removeExpired(from: &namespace, now: now)
        }
        if isNew && namespace.entries.count >= limits.maximumKeysPerNamespace {
            throw PluginCacheError(
                description: "cache of this plugin and team already holds \(groupedDigits(limits.maximumKeysPerNamespace)) "
                    + "keys, the limit (QUILL_CACHE_MAX_KEYS): '\(key)' was not added; let keys expire or remove them")
        }
        let bytes = namespace.bytes - oldBytes + entry.bytes + keyBytes
        if bytes > limits.maximumNamespaceBytes && bytes > namespace.bytes {
            throw PluginCacheError(
                description: "cache of this plugin and team would hold \(groupedDigits(bytes)) bytes, over the limit of "
                    + "\(groupedDigits(limits.maximumNamespaceBytes)) (QUILL_CACHE_MAX_BYTES): '\(key)' was not stored")
        }
        namespace.entries[key.name] = entry
        namespace.bytes = bytes
    }

    private func removeExpired(from namespace: inout Namespace, now: TimeSource.Instant) {
        let expired = namespace.entries.filter { $0.value.expiry.map { $0 <= now } ?? false }
        for (name, entry) in expired {
            namespace.entries[name] = nil
            namespace.bytes -= entry.bytes + name.utf8.count
        }
    }

    private func wrongType(_ key: PluginCacheKey) -> PluginCacheError {
        PluginCacheError(description: "cache key '\(key)' holds the wrong kind of value for this operation")
    }

    /// Runs `body` on the key's namespace once `key` is gone if it has expired; every 1,000 operations
    /// removes every expired entry of every namespace, and namespaces left empty.
    private func withLiveNamespace<Result>(
        _ key: PluginCacheKey, _ body: (inout Namespace, TimeSource.Instant) throws -> Result
    ) throws -> Result {
        let now = clock.now
        return try state.withLock { state in
            state.operationsSinceSweep += 1
            if state.operationsSinceSweep >= 1_000 {
                state.operationsSinceSweep = 0
                for name in Array(state.namespaces.keys) {
                    guard var namespace = state.namespaces.removeValue(forKey: name) else { continue }
                    removeExpired(from: &namespace, now: now)
                    if !namespace.entries.isEmpty { state.namespaces[name] = namespace }
                }
            }
            var namespace = state.namespaces.removeValue(forKey: key.namespace) ?? Namespace()
            defer { if !namespace.entries.isEmpty { state.namespaces[key.namespace] = namespace } }
            if let entry = namespace.entries[key.name], let expiry = entry.expiry, expiry <= now {
                namespace.entries[key.name] = nil
                namespace.bytes -= entry.bytes + key.name.utf8.count
            }
            return try body(&namespace, now)
        }
    }
}

extension MemoryPluginCacheStore where TimeSource == ContinuousClock {
    public convenience init(limits: PluginCacheLimits = PluginCacheLimits()) {
        self.init(clock: ContinuousClock(), limits: limits)
    }
}
