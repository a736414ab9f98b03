/// A JSON object whose members keep their order, so an event's properties leave Quill in the order they came.
///
/// Members live in an array; a dictionary beside it maps each key to its position, so lookup stays O(1)
/// on objects with many properties. Two objects are equal when they have the same members in the same order.
public struct JSONObject: Sendable, Equatable, Sequence {
    public typealias Element = (key: String, value: JSONValue)

    /// A struct rather than the tuple `Element`: arrays of tuples are copied and destroyed through slower,
    /// unspecialised runtime paths.
    struct Member: Sendable, Equatable {
        var key: String
        var value: JSONValue
    }

    private var members: [Member]
    private var positions: [String: Int]

    public init() {
        members = []
        positions = [:]
    }

    /// A repeated key keeps its first position and takes its last value, as `JSON.parse` does.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.init(members.map { Member(key: $0.key, value: $0.value) })
    }

    /// Takes the members as they are when no key repeats, the usual case, hashing each key once.
    init(_ members: [Member]) {
        self.members = members
        positions = Dictionary(minimumCapacity: members.count)
        for (position, member) in members.enumerated() where positions.updateValue(position, forKey: member.key) != nil {
            self = JSONObject(keepingLastOfRepeatedKeys: members)
            return
        }
    }

    private init(keepingLastOfRepeatedKeys members: [Member]) {
        self.members = []
        positions = [:]
        for member in members { setValue(member.value, forKey: member.key) }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// Setting a present key replaces its value in place; a new key is appended; `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { members[$0].value } }
        set {
            if let newValue {
                setValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    private mutating func setValue(_ value: JSONValue, forKey key: String) {
        // One hash lookup for the common case of a new key; a repeated key puts its position back.
        guard let position = positions.updateValue(members.count, forKey: key) else {
            members.append(Member(key: key, value: value))
            return
        }
        positions[key] = position
        members[position].value = value
    }

    /// Removing shifts the later members down, so it costs O(n).
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = positions.removeValue(forKey: key) else { return nil }
        let removed = members.remove(at: position).value
        for later in position..<members.count { positions[members[later].key] = later }
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
