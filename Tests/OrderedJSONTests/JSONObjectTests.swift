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

    @Test func removingKeepsTheOthersInOrderAndFindable() {
        var object = JSONObject((0..<10).map { (key: "k\($0)", value: JSONValue($0)) })
        #expect(object.removeValue(forKey: "k3") == 3)
        #expect(object.removeValue(forKey: "k3") == nil)
        object["k7"] = nil
        #expect(object.keys == ["k0", "k1", "k2", "k4", "k5", "k6", "k8", "k9"])
        for (key, value) in object { #expect(object[key] == value) }
        #expect(object["k9"] == 9)
        object["k3"] = "back"
        #expect(object.keys.last == "k3")
        object["k9"] = "replaced"
        #expect(object.keys == ["k0", "k1", "k2", "k4", "k5", "k6", "k8", "k9", "k3"])
        #expect(object["k9"] == "replaced")
    }

    @Test func membersWithRepeatedKeysKeepTheFirstPositionAndTheLastValue() {
        let object = JSONObject([(key: "a", value: 1), (key: "b", value: 2), (key: "a", value: 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
        #expect(Array(object).map(\.value) == [3, 2])
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
