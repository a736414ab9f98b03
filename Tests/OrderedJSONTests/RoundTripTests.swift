import Foundation
import OrderedJSON
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: [
        #"{"b":1,"a":2,"c":{"z":null,"y":[true,false]}}"#,
        #"[1.0,1,-0,-0.0,0,1e3,1E+3,2.5e-7,12345678901234567890,-98765432109876543210.000,1.7976931348623157e308]"#,
        #"{"empty":{},"list":[],"nested":[[[]],[{}],{"a":[{"b":{}}]}]}"#,
        #"{"text":"café ✓ 日本語 😀 👩‍👩‍👧","path":"/a/b","mixed":"\"q\" \\ \b\f\n\r\t\u0000\u001f"}"#,
        #"{"":"","$set":{"$initial_referrer":"$direct"},"distinct_id":"u1"}"#,
        #""top-level string""#, "true", "false", "null", "0", "-1.5",
    ])
    func compactTextRoundTripsByteForByte(_ text: String) throws {
        #expect(try JSONValue.parse(text).serializedString == text)
        #expect(try JSONValue.parse(Array(text.utf8)).serialized() == Array(text.utf8))
    }

    @Test func whitespaceAndAByteOrderMarkAreDropped() throws {
        let text = "\u{FEFF} \t\n\r{ \"a\" : [ 1 , 2.50 ] ,\n  \"b\" : { } , \"c\":[ ] }\r\n"
        #expect(try JSONValue.parse(text).serializedString == #"{"a":[1,2.50],"b":{},"c":[]}"#)
    }

    @Test func escapesAreDecodedAndWrittenMinimally() throws {
        let value = try JSONValue.parse(#""caf\u00e9 \ud83d\ude00 \u263A \/ \" \\ \b\f\n\r\t \u0000\u001F\u007f""#)
        #expect(value.stringValue == "café 😀 ☺ / \" \\ \u{08}\u{0C}\n\r\t \u{00}\u{1F}\u{7F}")
        #expect(value.serializedString == #""café 😀 ☺ / \" \\ \b\f\n\r\t \u0000\u001f\#u{7F}""#)
    }

    @Test func everyControlCharacterIsEscapedAndNothingElse() {
        let controls = (0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }
        let expected = [
            #"\u0000"#, #"\u0001"#, #"\u0002"#, #"\u0003"#, #"\u0004"#, #"\u0005"#, #"\u0006"#, #"\u0007"#,
            #"\b"#, #"\t"#, #"\n"#, #"\u000b"#, #"\f"#, #"\r"#, #"\u000e"#, #"\u000f"#,
            #"\u0010"#, #"\u0011"#, #"\u0012"#, #"\u0013"#, #"\u0014"#, #"\u0015"#, #"\u0016"#, #"\u0017"#,
            #"\u0018"#, #"\u0019"#, #"\u001a"#, #"\u001b"#, #"\u001c"#, #"\u001d"#, #"\u001e"#, #"\u001f"#,
        ]
        #expect(JSONValue(String(controls)).serializedString == "\"" + expected.joined() + "\"")
        let plain = " !#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~\u{7F}é€😀\u{2028}\u{FFFD}"
        #expect(JSONValue(plain).serializedString == "\"\(plain)\"")
        let object: JSONValue = ["a\"b": "c\\d"]
        #expect(object.serializedString == #"{"a\"b":"c\\d"}"#)
    }

    /// Long strings take the eight-bytes-at-a-time path; put the byte to escape at every offset of a word.
    @Test(arguments: 0..<17)
    func findsTheByteToEscapeAtAnyOffset(_ offset: Int) throws {
        for special in ["\"", "\\", "\n", "\u{1F}"] {
            let string = String(repeating: "é", count: offset / 2) + String(repeating: "a", count: offset % 2) + special + "xyzé😀"
            let value = JSONValue(string)
            #expect(try JSONValue.parse(value.serialized()) == value)
        }
    }

    @Test func surrogatesPairUpAndLoneOnesBecomeReplacementCharacters() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#).stringValue == "😀")
        #expect(try JSONValue.parse(#""\uD83D\uDE00""#).serializedString == #""😀""#)
        #expect(try JSONValue.parse(#""\ud800""#).stringValue == "\u{FFFD}")
        #expect(try JSONValue.parse(#""\udc00x""#).stringValue == "\u{FFFD}x")
        #expect(try JSONValue.parse(#""\ud800\u0041""#).stringValue == "\u{FFFD}A")
        #expect(try JSONValue.parse(#""\ud800\ud800\udc00""#).stringValue == "\u{FFFD}𐀀")
    }

    @Test func illFormedUTF8BecomesReplacementCharacters() throws {
        #expect(try JSONValue.parse([0x22, 0x61, 0xFF, 0xC3, 0x22]).stringValue == "a\u{FFFD}\u{FFFD}")
    }

    @Test func parsesAnyCollectionOfBytes() throws {
        let text = #"{"a":[1,"é"]}"#
        #expect(try JSONValue.parse(Data(text.utf8)).serializedString == text)
        #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }).serializedString == text)
        #expect(try JSONValue.parse(Array(text.utf8)[...]).serializedString == text)
    }

    @Test func repeatedKeysKeepTheFirstPositionAndTheLastValue() throws {
        let value = try JSONValue.parse(#"{"a":1,"b":2,"a":{"x":3},"c":4,"b":null}"#)
        #expect(value.serializedString == #"{"a":{"x":3},"b":null,"c":4}"#)
    }

    @Test func foundationReadsBackTheSameStructure() throws {
        let text = """
            {"event": "$pageview", "distinct_id": "user 1", "properties": {"$current_url": "https://example.com/a?b=c",
             "count": 3, "ratio": 0.25, "big": 9007199254740993, "flags": [true, false, null], "name": "Zoë \\"Z\\" 😀",
             "nested": {"list": [[], {}, [1, [2, [3]]]], "empty": ""}, "tab\\tkey": "line\\nbreak \\u0001"}}
            """
        let serialized = try JSONValue.parse(text).serialized()
        func canonical(_ data: Data) throws -> Data {
            try JSONSerialization.data(
                withJSONObject: JSONSerialization.jsonObject(with: data), options: [.sortedKeys, .fragmentsAllowed])
        }
        #expect(try canonical(Data(serialized)) == canonical(Data(text.utf8)))
        let object = try #require(JSONSerialization.jsonObject(with: Data(serialized)) as? [String: Any])
        let properties = try #require(object["properties"] as? [String: Any])
        #expect(properties["name"] as? String == "Zoë \"Z\" 😀")
        #expect(properties["tab\tkey"] as? String == "line\nbreak \u{01}")
        #expect((properties["ratio"] as? NSNumber)?.doubleValue == 0.25)
    }
}
