import OrderedJSON
import Testing

@Suite struct JSONValueTests {
    @Test func literalsBuildValuesInLiteralOrder() {
        let value: JSONValue = ["z": 1, "a": "two", "m": [true, nil, ["k": false]], "b": [:], "c": []]
        #expect(value.serializedString == #"{"z":1,"a":"two","m":[true,null,{"k":false}],"b":{},"c":[]}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m", "b", "c"])
        let repeated: JSONValue = ["a": 1, "b": 2, "a": 3]
        #expect(repeated.serializedString == #"{"a":3,"b":2}"#)
    }

    @Test func initialisersWriteNumbersAsJavaScriptReadsThem() {
        #expect(JSONValue(42) == .number("42"))
        #expect(JSONValue(-7) == .number("-7"))
        #expect(JSONValue("s") == .string("s"))
        #expect(JSONValue(true) == .bool(true))
        #expect(JSONValue(1.0) == .number("1.0"))
        #expect(JSONValue(0.1) == .number("0.1"))
        #expect(JSONValue(-0.0) == .number("-0.0"))
        #expect(JSONValue(1e16) == .number("1e+16"))
        #expect(JSONValue(1e-7) == .number("1e-07"))
        #expect(JSONValue(Double.infinity) == .null)
        #expect(JSONValue(-Double.infinity) == .null)
        #expect(JSONValue(Double.nan) == .null)
    }

    @Test(arguments: [0.1, 1.0 / 3.0, 1e300, .leastNonzeroMagnitude, -2.5e-7, 123456789.125, Double.greatestFiniteMagnitude])
    func doublesReadBackExactly(_ double: Double) throws {
        let parsed = try JSONValue.parse(JSONValue(double).serialized())
        #expect(parsed.doubleValue == double)
    }

    @Test func numbersKeepTheirTextAndCompareByIt() throws {
        #expect(try JSONValue.parse("1.0") == .number("1.0"))
        #expect(try JSONValue.parse("1.0") != JSONValue.parse("1"))
        #expect(try JSONValue.parse("12345678901234567890").doubleValue == 12345678901234567890.0)
        #expect(try JSONValue.parse("-0").doubleValue == 0)
        #expect(try JSONValue.parse("1E3").doubleValue == 1000)
    }

    @Test func conveniencesAreNilForOtherKinds() throws {
        let value = try JSONValue.parse(#"{"s":"x","n":2.5,"b":false,"a":[1],"o":{"k":null},"z":null}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.doubleValue == 2.5)
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue?["k"] == .null)
        #expect(value["o"]?["k"] == .null)
        #expect(value["z"] == .null)
        #expect(value["missing"] == nil)
        #expect(value["s"]?["k"] == nil)
        #expect(value["s"]?.doubleValue == nil)
        #expect(value["n"]?.stringValue == nil)
        #expect(value["s"]?.boolValue == nil)
        #expect(value["s"]?.arrayValue == nil)
        #expect(value.arrayValue == nil)
        #expect(value["a"]?.objectValue == nil)
    }

    @Test func aMutatedEventKeepsEverythingElseAsWritten() throws {
        let text = #"{"event":"e","properties":{"b":1.0,"a":"😀","n":[1e3,-0]},"timestamp":"t","uuid":"u"}"#
        guard case .object(var event) = try JSONValue.parse(text), case .object(var properties)? = event["properties"]
        else {
            Issue.record("not an object")
            return
        }
        properties["$plugins_succeeded"] = ["p (1)"]
        properties["a"] = "replaced"
        event["properties"] = .object(properties)
        event["timestamp"] = nil
        event["sent_at"] = "s"
        #expect(
            JSONValue.object(event).serializedString
                == #"{"event":"e","properties":{"b":1.0,"a":"replaced","n":[1e3,-0],"$plugins_succeeded":["p (1)"]},"uuid":"u","sent_at":"s"}"#
        )
    }
}
