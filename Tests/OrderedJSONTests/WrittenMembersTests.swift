@testable import OrderedJSON
import Testing

/// Reading an object's members where they were written, without building them: only text in the form the writer
/// writes is read, so copying a member's bytes gives what parsing and serializing it would.
@Suite struct WrittenMembersTests {
    /// Each member's key and value as written.
    private func members(_ text: String) -> [(key: String, value: String)]? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            JSONValue.writtenMembers(of: buffer, in: 0..<buffer.count)?.members.map {
                (String(decoding: buffer[$0.key], as: UTF8.self), String(decoding: buffer[$0.value], as: UTF8.self))
            }
        }
    }

    @Test(arguments: [
        #"{}"#,
        #"{"a":1,"b":"two","c":null,"d":true,"e":false,"f":[],"g":{},"h":[1,-2.5e-7,{"x":[null]}]}"#,
        #"{"quote\"back\\slash":"line\nfeed\ttab\r\b\f\u0001\u001f","é":"日本語 🎉","/":"/"}"#,
        #"{"n":0,"m":-0,"big":1.7976931348623157e308,"tiny":5e-324,"e":1E+5}"#,
    ])
    func readsWhatTheWriterWritesAndEachValueRoundTrips(text: String) throws {
        let object = try #require(try JSONValue.parse(text).objectValue)
        #expect(JSONValue.object(object).serializedString == text, "the test's text is in the written form")
        let read = try #require(members(text))
        // A key is written as the writer writes it, escapes and all.
        #expect(read.map(\.key) == object.keys.map { String(JSONValue.string($0).serializedString.dropFirst().dropLast()) })
        for ((_, value), key) in zip(read, object.keys) {
            #expect(try JSONValue.parse(value) == object[key])
            #expect(try JSONValue.parse(value).serializedString == value)
        }
    }

    @Test(arguments: [
        #" {"a":1}"#, #"{"a": 1}"#, #"{"a":[1, 2]}"#, #"{"a":1} "#,  // whitespace
        #"{"a":"\u0041"}"#, #"{"a":"\/"}"#, #"{"a":"\u000a"}"#, #"{"a":"\u001F"}"#, #"{"a":"\ud800"}"#,  // escapes it doesn't write
        #"{"a":1,"a":2}"#, #"{"o":{"k":1,"k":2}}"#, #"{"o":[{"k":1,"k":2}]}"#,  // repeated keys, at any depth
        #"{"a":1e400}"#, #"{"a":-1e309}"#,  // past Double: the parser writes null
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":tru}"#, #"{"a":"open}"#, #"{"a":1"#, #"{"a"}"#, #"[1]"#, #""#, #"{"a":1}x"#,
        "{\"a\":\"\u{7}\"}",  // a raw control character
    ])
    func refusesTextInAnyOtherForm(text: String) {
        #expect(members(text) == nil)
    }

    @Test func refusesIllFormedUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        let read = bytes.withUnsafeBufferPointer { JSONValue.writtenMembers(of: $0, in: 0..<$0.count) }
        #expect(read == nil)
    }

    @Test func findsARepeatedKeyAmongManyWithoutComparingEveryPair() {
        let keys = (0..<5_000).map { "\"k\($0)\":\($0)" }
        #expect(members("{\(keys.joined(separator: ","))}")?.count == 5_000)
        #expect(members("{\((keys + ["\"k4321\":0"]).joined(separator: ","))}") == nil)
        #expect(members("{\"o\":{\((keys + ["\"k17\":0"]).joined(separator: ","))}}") == nil)
    }

    @Test func nestingPastTheParsersLimitIsRefusedNotATrap() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(members("{\"a\":\(deep)}") == nil)
    }

    @Test func readsAnObjectInsideLargerText() throws {
        let text = Array(#"[{"a":{"b":1}},2]"#.utf8)
        let read = try #require(text.withUnsafeBufferPointer { JSONValue.writtenMembers(of: $0, in: 1..<14) })
        #expect(read.members == [WrittenMember(key: 3..<4, value: 6..<13)])
        #expect(text.withUnsafeBufferPointer { JSONValue.writtenMembers(of: $0, in: 1..<40) } == nil)
        #expect(text.withUnsafeBufferPointer { JSONValue.writtenMembers(of: $0, in: 1..<13) } == nil)
    }

    @Test func readsTheMembersOfOneMemberInTheSamePass() throws {
        let text = Array(#"{"x":[{"p":0}],"p":{"k":"v","n":{"k":1}},"z":1}"#.utf8)
        let read = try #require(text.withUnsafeBufferPointer { JSONValue.writtenMembers(of: $0, in: 0..<$0.count, expanding: "p") })
        let keys = read.expanded?.map { String(decoding: text[$0.key], as: UTF8.self) }
        #expect(keys == ["k", "n"])
        #expect(read.expanded?.last.map { String(decoding: text[$0.value], as: UTF8.self) } == #"{"k":1}"#)
        #expect(read.members.count == 3)
        let notAnObject = Array(#"{"p":[1]}"#.utf8)
        let plain = try #require(notAnObject.withUnsafeBufferPointer { JSONValue.writtenMembers(of: $0, in: 0..<$0.count, expanding: "p") })
        #expect(plain.expanded == nil)
    }
}
