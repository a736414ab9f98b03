/// A JSON object whose members keep their order, so an event's properties leave Quill in the order they came.
///
/// Members live in an array. Past ``indexedCount`` members a dictionary beside it maps each key to its position,
/// so lookup stays O(1) on objects with many properties; smaller objects, most of what a parse makes, are
/// searched in order, which costs less than hashing every key. Two objects are equal when they have the same
/// members in the same order.
public struct JSONObject: Sendable, Equatable, Sequence {
    public typealias Element = (key: String, value: JSONValue)

    /// A struct rather than the tuple `Element`: arrays of tuples are copied and destroyed through slower,
    /// unspecialised runtime paths.
    struct Member: Sendable, Equatable {
        var key: String
        var value: JSONValue
    }

    /// Read in place by the writer, which would otherwise copy every member through the iterator.
    private(set) var members: [Member]
    /// Each key's position, kept only while the object has more than `indexedCount` members.
    private var positions: [String: Int]?

    static let indexedCount = 16

    public init() {
        members = []
        positions = nil
    }

    /// A repeated key keeps its first position and takes its last value, as `JSON.parse` does.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.init(members.map { Member(key: $0.key, value: $0.value) })
    }

    /// Takes the members as they are when no key repeats, the usual case.
    init(_ members: [Member]) {
        self.members = members
        positions = nil
        if members.count > Self.indexedCount {
            var positions = [String: Int](minimumCapacity: members.count)
            for (position, member) in members.enumerated() where positions.updateValue(position, forKey: member.key) != nil {
                self = JSONObject(keepingLastOfRepeatedKeys: members)
                return
            }
            self.positions = positions
        } else {
            for later in members.indices.dropFirst() where members[..<later].contains(where: { $0.key == members[later].key }) {
                self = JSONObject(keepingLastOfRepeatedKeys: members)
                return
            }
        }
    }

    private init(keepingLastOfRepeatedKeys members: [Member]) {
        self.init()
        for member in members { setValue(member.value, forKey: member.key) }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// Setting a present key replaces its value in place; a new key is appended; `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let newValue {
                setValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return members.firstIndex { $0.key == key }
    }

    private mutating func setValue(_ value: JSONValue, forKey key: String) {
        guard positions != nil else {
            if let position = members.firstIndex(where: { $0.key == key }) {
                members[position].value = value
                return
            }
            members.append(Member(key: key, value: value))
            if members.count > Self.indexedCount {
                positions = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1.key, $0) })
            }
            return
        }
        // One hash lookup for the common case of a new key; a repeated key puts its position back.
        guard let position = positions!.updateValue(members.count, forKey: key) else {
            members.append(Member(key: key, value: value))
            return
        }
        positions![key] = position
        members[position].value = value
    }

    /// Removing shifts the later members down, so it costs O(n).
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let removed = members.remove(at: position).value
        if positions != nil {
            positions![key] = nil
            for later in position..<members.count { positions![members[later].key] = later }
        }
        return removed
    }

    public struct Iterator: IteratorProtocol {
        fileprivate var members: IndexingIterator<[Member]>

        public mutating func next() -> Element? {
            members.next().map { ($0.key, $0.value) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(members: members.makeIterator()) }

    public var underestimatedCount: Int { members.count }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members == rhs.members
    }
}
