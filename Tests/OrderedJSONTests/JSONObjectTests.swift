import OrderedJSON
import Testing

@Suite struct JSONObjectTests {
    @Test func settingReplacesInPlaceOrAppends() {
        var object = JSONObject()
        #expect(object.isEmpty)
        object["b"] = 1
        object["a"] = 2
        object["b"] = "new"
        object["c"] = nil
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == "new")
        #expect(object.count == 2)
        #expect(!object.isEmpty)
    }

    // Objects of up to 16 members are searched in order; larger ones keep an index of positions.
    @Test(arguments: [10, 40])
    func removingKeepsTheOthersInOrderAndFindable(count: Int) {
        var object = JSONObject((0..<count).map { (key: "k\($0)", value: JSONValue($0)) })
        #expect(object.removeValue(forKey: "k3") == 3)
        #expect(object.removeValue(forKey: "k3") == nil)
        object["k7"] = nil
        let rest = ["k0", "k1", "k2", "k4", "k5", "k6"] + (8..<count).map { "k\($0)" }
        #expect(object.keys == rest)
        for (key, value) in object { #expect(object[key] == value) }
        #expect(object["k9"] == 9)
        object["k3"] = "back"
        #expect(object.keys == rest + ["k3"])
        object["k9"] = "replaced"
        #expect(object.keys == rest + ["k3"])
        #expect(object["k9"] == "replaced")
        #expect(object["k8"] == 8)
    }

    @Test(arguments: [3, 40])
    func membersWithRepeatedKeysKeepTheFirstPositionAndTheLastValue(count: Int) {
        let others = (0..<count).map { (key: "k\($0)", value: JSONValue($0)) }
        let object = JSONObject([(key: "a", value: 1)] + others + [(key: "a", value: 3)])
        #expect(object.keys == ["a"] + others.map(\.key))
        #expect(object["a"] == 3)
        #expect(object.count == count + 1)
        #expect(Array(object).map(\.value) == [3] + others.map(\.value))
    }

    @Test func growingPastTheIndexedSizeKeepsEveryKeyFindable() {
        var object = JSONObject()
        for index in 0..<40 { object["k\(index)"] = JSONValue(index) }
        object["k5"] = "again"
        #expect(object.count == 40)
        #expect(object.keys == (0..<40).map { "k\($0)" })
        for index in 0..<40 where index != 5 { #expect(object["k\(index)"] == JSONValue(index)) }
        #expect(object["k5"] == "again")
        #expect(object["k40"] == nil)
    }

    @Test func equalityNeedsTheSameMembersInTheSameOrder() {
        let ab = JSONObject([(key: "a", value: 1), (key: "b", value: 2)])
        let ba = JSONObject([(key: "b", value: 2), (key: "a", value: 1)])
        var rebuilt = JSONObject()
        rebuilt["a"] = 1
        rebuilt["b"] = 2
        #expect(ab == rebuilt)
        #expect(ab != ba)
        rebuilt["b"] = "2"
        #expect(ab != rebuilt)
        #expect(JSONObject() == JSONObject([]))
    }
}
