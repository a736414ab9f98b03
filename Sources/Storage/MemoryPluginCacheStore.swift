import Synchronization

/// The embedded ``PluginCacheStore``: in memory, with time-to-live, on an injectable clock.
public final class MemoryPluginCacheStore<TimeSource: Clock>: PluginCacheStore where TimeSource.Duration == Duration {
    private enum Value {
        case string(String)
        /// Tail first, so that pushing onto the head appends.
        case list([String])
    }

    private struct Entry {
        var value: Value
        var expiry: TimeSource.Instant?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var writesSinceSweep = 0
    }

    private let clock: TimeSource
    private let state = Mutex(State())

    public init(clock: TimeSource) {
        self.clock = clock
    }

    public func get(_ key: String) async throws -> String? {
        try withLiveEntries(key) { entries in
            switch entries[key]?.value {
            case nil: return nil
            case .string(let value): return value
            case .list: throw wrongType(key)
            }
        }
    }

    public func set(_ key: String, to value: String, ttl: Duration?) async throws {
        let expiry = ttl.map { clock.now.advanced(by: $0) }
        try withLiveEntries(key) { $0[key] = Entry(value: .string(value), expiry: expiry) }
    }

    public func increment(_ key: String) async throws -> Int {
        try withLiveEntries(key) { entries in
            var entry = entries[key] ?? Entry(value: .string("0"), expiry: nil)
            guard case .string(let text) = entry.value, let number = Int(text) else {
                throw PluginCacheError(description: "cache value at '\(key)' is not an integer")
            }
            entry.value = .string(String(number + 1))
            entries[key] = entry
            return number + 1
        }
    }

    public func expire(_ key: String, after ttl: Duration) async throws -> Bool {
        try withLiveEntries(key) { entries in
            guard entries[key] != nil else { return false }
            if ttl <= .zero {
                entries[key] = nil
            } else {
                entries[key]?.expiry = clock.now.advanced(by: ttl)
            }
            return true
        }
    }

    public func pushFront(_ key: String, _ values: [String]) async throws -> Int {
        try withLiveEntries(key) { entries in
            var entry = entries[key] ?? Entry(value: .list([]), expiry: nil)
            guard case .list(var list) = entry.value else { throw wrongType(key) }
            list.append(contentsOf: values)
            entry.value = .list(list)
            entries[key] = entry
            return list.count
        }
    }

    public func range(_ key: String, from start: Int, through stop: Int) async throws -> [String] {
        try withLiveEntries(key) { entries in
            let headFirst = try list(at: key, in: entries).reversed() as [String]
            let count = headFirst.count
            let lower = max(start < 0 ? count + start : start, 0)
            let upper = min(stop < 0 ? count + stop : stop, count - 1)
            guard lower <= upper else { return [] }
            return Array(headFirst[lower...upper])
        }
    }

    public func length(_ key: String) async throws -> Int {
        try withLiveEntries(key) { try list(at: key, in: $0).count }
    }

    public func remove(_ key: String, count: Int, value: String) async throws -> Int {
        try withLiveEntries(key) { entries in
            var tailFirst = try list(at: key, in: entries)
            var removed = 0
            let limit = count == 0 ? Int.max : abs(count)
            // Positive counts remove from the head, which is the end of the tail-first array.
            let indices = count > 0 ? Array(tailFirst.indices.reversed()) : Array(tailFirst.indices)
            var doomed = Set<Int>()
            for index in indices where removed < limit && tailFirst[index] == value {
                doomed.insert(index)
                removed += 1
            }
            tailFirst = tailFirst.enumerated().filter { !doomed.contains($0.offset) }.map(\.element)
            store(tailFirst, at: key, in: &entries)
            return removed
        }
    }

    public func popFront(_ key: String, count: Int) async throws -> [String] {
        try withLiveEntries(key) { entries in
            var tailFirst = try list(at: key, in: entries)
            let taken = min(max(count, 0), tailFirst.count)
            let popped = Array(tailFirst.suffix(taken).reversed())
            tailFirst.removeLast(taken)
            store(tailFirst, at: key, in: &entries)
            return popped
        }
    }

    private func list(at key: String, in entries: [String: Entry]) throws -> [String] {
        switch entries[key]?.value {
        case nil: return []
        case .list(let list): return list
        case .string: throw wrongType(key)
        }
    }

    /// Stores a list back; like Redis, an emptied list no longer exists.
    private func store(_ tailFirst: [String], at key: String, in entries: inout [String: Entry]) {
        if tailFirst.isEmpty {
            entries[key] = nil
        } else {
            entries[key]?.value = .list(tailFirst)
        }
    }

    private func wrongType(_ key: String) -> PluginCacheError {
        PluginCacheError(description: "cache key '\(key)' holds the wrong kind of value for this operation")
    }

    /// Runs `body` on the entries once `key` is gone if it has expired; now and then sweeps all expired keys.
    private func withLiveEntries<Result>(
        _ key: String, _ body: (inout [String: Entry]) throws -> Result
    ) throws -> Result {
        let now = clock.now
        return try state.withLock { state in
            if let expiry = state.entries[key]?.expiry, expiry <= now {
                state.entries[key] = nil
            }
            state.writesSinceSweep += 1
            if state.writesSinceSweep >= 1_000 {
                state.writesSinceSweep = 0
                state.entries = state.entries.filter { $0.value.expiry.map { $0 > now } ?? true }
            }
            return try body(&state.entries)
        }
    }
}

extension MemoryPluginCacheStore where TimeSource == ContinuousClock {
    public convenience init() {
        self.init(clock: ContinuousClock())
    }
}
