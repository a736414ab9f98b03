import OrderedJSON
import Testing

@Suite struct ParseErrorTests {
    private func parseError(_ text: String) -> String? {
        do {
            _ = try JSONValue.parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        ("", "unexpected end of input at line 1, column 1"),
        ("  \n ", "unexpected end of input at line 2, column 2"),
        ("[1,]", "unexpected character ']' at line 1, column 4"),
        (#"{"a":1,}"#, "unexpected character '}' at line 1, column 8"),
        ("01", "unexpected character '1' at line 1, column 2"),
        ("-01", "unexpected character '1' at line 1, column 3"),
        ("-", "unexpected end of input at line 1, column 2"),
        ("-a", "unexpected character 'a' at line 1, column 2"),
        (".5", "unexpected character '.' at line 1, column 1"),
        ("+1", "unexpected character '+' at line 1, column 1"),
        ("1.", "unexpected end of input at line 1, column 3"),
        ("1.e3", "unexpected character 'e' at line 1, column 3"),
        ("1e", "unexpected end of input at line 1, column 3"),
        ("1e+", "unexpected end of input at line 1, column 4"),
        ("NaN", "unexpected character 'N' at line 1, column 1"),
        ("tru", "unexpected end of input at line 1, column 4"),
        ("trUe", "unexpected character 'U' at line 1, column 3"),
        ("nul1", "unexpected character '1' at line 1, column 4"),
        (#""abc"#, "unterminated string at line 1, column 5"),
        (#""abc\"#, "unterminated string at line 1, column 6"),
        ("[1, 2", "unexpected end of input at line 1, column 6"),
        ("[1 2]", "unexpected character '2' at line 1, column 4"),
        (#"{"a": 1"#, "unexpected end of input at line 1, column 8"),
        (#"{"a" 1}"#, "unexpected character '1' at line 1, column 6"),
        ("{a:1}", "unexpected character 'a' at line 1, column 2"),
        ("{'a':1}", "unexpected character ''' at line 1, column 2"),
        (#""\x""#, #"invalid escape '\x' at line 1, column 3"#),
        (#""\u12G4""#, #"invalid \u escape at line 1, column 6"#),
        (#""\u12""#, #"invalid \u escape at line 1, column 6"#),
        (#""\ud800\u12""#, #"invalid \u escape at line 1, column 12"#),
        ("\"a\tb\"", "control character in a string at line 1, column 3"),
        ("\"a\u{0}b\"", "control character in a string at line 1, column 3"),
        ("\"0123456789\nabc\"", "control character in a string at line 1, column 12"),
        ("[1] x", "unexpected character 'x' at line 1, column 5"),
        ("[1][2]", "unexpected character '[' at line 1, column 4"),
        ("[\n  1,\n  ]", "unexpected character ']' at line 3, column 3"),
        (#"["é", x]"#, "unexpected character 'x' at line 1, column 7"),
        ("[é]", "unexpected character 'é' at line 1, column 2"),
        ("\u{FEFF}\u{FEFF}1", "unexpected character '\u{FEFF}' at line 1, column 2"),
    ])
    func malformedInputNamesTheProblemAndWhere(_ text: String, _ message: String) {
        #expect(parseError(text) == message)
    }

    @Test func nestingIsLimitedTo512Levels() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSONValue.parse(deepest).serializedString == deepest)
        #expect(
            parseError(String(repeating: "[", count: 513) + String(repeating: "]", count: 513))
                == "values are nested too deeply at line 1, column 513")
        #expect(parseError(String(repeating: #"{"a":"#, count: 600)) == "values are nested too deeply at line 1, column 2561")
        #expect(parseError(String(repeating: "[", count: 100_000)) == "values are nested too deeply at line 1, column 513")
    }

    @Test func spansTellWhereEachValueWasWritten() throws {
        let bytes = Array(#"{"a": [1, 2.0], "b" : "x", "a": {"k": true} }"#.utf8)
        let (value, span) = try JSONValue.parseWithSpans(bytes)
        func text(_ span: JSONSpan) -> String { String(decoding: bytes[span.range], as: UTF8.self) }
        #expect(value.serializedString == #"{"a":{"k":true},"b":"x"}"#)
        #expect(text(span) == String(decoding: bytes, as: UTF8.self))
        #expect(span.children.map(text) == [#"{"k": true}"#, #""x""#])
        #expect(span.children[0].children.map(text) == ["true"])
        let array = try JSONValue.parseWithSpans(Array("\u{FEFF}[ [], 1e3 ]".utf8)).span
        #expect(array.range == 3..<14)
        #expect(array.children.map(\.range) == [5..<7, 9..<12])
    }
}

@Suite struct NonFiniteNumberTests {
    @Test(arguments: ["1e999", "-1e400", "1E+309", "123456789e301", String(repeating: "9", count: 400)])
    func aNumberPastTheLargestDoubleIsNull(text: String) throws {
        #expect(try JSONValue.parse(text) == .null)
    }

    @Test(arguments: ["1e308", "-1.7976931348623157e308", "1e-999", "0.0000001e310", String(repeating: "9", count: 300)])
    func aNumberWithinDoublesRangeStaysAsWritten(text: String) throws {
        #expect(try JSONValue.parse(text) == .number(text))
    }
}
