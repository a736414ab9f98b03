import Foundation
import QuillTestSupport
import Testing

@testable import PluginManifest

@Suite struct ManifestTests {
    private func parse(_ json: String) throws(PluginManifestError) -> PluginManifest {
        try PluginManifest.parse(Data(json.utf8))
    }

    private func parseError(_ json: String) -> String? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error.description
        }
    }

    private func validationErrors(
        _ schema: [ConfigField], _ values: [String: String], attachments: Set<String> = []
    ) -> [ConfigValidationError.FieldError] {
        do {
            _ = try schema.validate(values, attachmentKeys: attachments)
            return []
        } catch {
            return error.fieldErrors
        }
    }

    private func schema(_ configJSON: String) throws -> [ConfigField] {
        try parse(#"{"name": "test", "config": \#(configJSON)}"#).configSchema
    }

    // MARK: plugin.json

    @Test func readsTheHelloWorldManifestInObjectForm() throws {
        let manifest = try parse(
            """
            {
              "name": "helloworldplugin",
              "url": "https://github.com/PostHog/helloworldplugin",
              "description": "Greet the World and Foo a Bar, JS edition!",
              "main": "index.js",
              "config": {
                "bar": {"name": "What's in the bar?", "type": "string", "default": "baz", "required": false}
              }
            }
            """)
        #expect(manifest.name == "helloworldplugin")
        #expect(manifest.url == "https://github.com/PostHog/helloworldplugin")
        #expect(manifest.description == "Greet the World and Foo a Bar, JS edition!")
        #expect(manifest.main == "index.js")
        #expect(!manifest.isStateless)
        #expect(manifest.publicJobs.isEmpty)
        #expect(manifest.configSchema.count == 1)
        let bar = try #require(manifest.configSchema.first)
        #expect(bar.key == "bar")
        #expect(bar.name == "What's in the bar?")
        #expect(bar.type == .string)
        #expect(bar.defaultValue == "baz")
        #expect(!bar.isRequired && !bar.isSecret)
        #expect(try manifest.configSchema.validate([:], attachmentKeys: []) == ["bar": "baz"])
    }

    @Test func readsTheArrayFormOfTheSourceEditorTutorial() throws {
        let fields = try schema(
            """
            [{"key": "name", "name": "Person to greet", "type": "string",
              "hint": "Used to personalise the property `hello`", "default": "", "required": false}]
            """)
        #expect(
            fields == [
                ConfigField(
                    key: "name", name: "Person to greet", type: .string, defaultValue: "",
                    hint: "Used to personalise the property `hello`", markdown: nil, order: nil, isRequired: false,
                    isSecret: false, choices: [], requiredIf: [], visibleIf: [])
            ])
        #expect(try fields.validate([:], attachmentKeys: []) == ["name": ""])
    }

    @Test func objectFormKeepsTheWrittenOrderOfFields() throws {
        let keys = ["zeta", "alpha", "mid", "beta", "omega", "a1", "last"]
        let config = keys.map { #""\#($0)": {"type": "string"}"# }.joined(separator: ", ")
        #expect(try schema("{\(config)}").map(\.key) == keys)
    }

    @Test func arrayFormReadsEveryPropertyAndAMarkdownOnlyElement() throws {
        let fields = try schema(
            """
            [
              {"markdown": "A Markdown block.\\n[Use links](http://example.com)!"},
              {"key": "apiKey", "name": "API key", "type": "string", "hint": "From settings", "order": 2,
               "required": true, "secret": true},
              {"key": "mode", "type": "choice", "choices": ["a", "b"], "default": "a"},
              {"key": "extra", "type": "json", "default": {"x": [1, 2]}, "visible_if": [["mode", "b"]],
               "required_if": [["apiKey"]]},
              {"key": "file", "type": "attachment", "markdown": "Upload the **database**"},
              {"key": "custom", "type": "date", "default": 5}
            ]
            """)
        #expect(fields.map(\.key) == [nil, "apiKey", "mode", "extra", "file", "custom"])
        #expect(fields[0].markdown == "A Markdown block.\n[Use links](http://example.com)!")
        #expect(fields[0].type == nil)
        #expect(fields[1].isRequired && fields[1].isSecret)
        #expect(fields[1].hint == "From settings" && fields[1].order == 2 && fields[1].name == "API key")
        #expect(fields[2].type == .choice && fields[2].choices == ["a", "b"] && fields[2].defaultValue == "a")
        #expect(fields[3].type == .json)
        #expect(fields[3].defaultValue == #"{"x": [1, 2]}"#)
        #expect(fields[3].visibleIf == [ConfigDependency(key: "mode", value: "b")])
        #expect(fields[3].requiredIf == [ConfigDependency(key: "apiKey", value: nil)])
        #expect(fields[4].type == .attachment && fields[4].markdown == "Upload the **database**")
        #expect(fields[5].type == .other("date") && fields[5].defaultValue == "5")
    }

    @Test func readsTheOtherTopLevelProperties() throws {
        let manifest = try parse(
            """
            {"name": "x", "posthogVersion": ">= 1.25.0", "stateless": true, "description": null,
             "publicJobs": {
               "Export events": {"payload": {"dateTo": {"type": "date", "required": true}, "dateFrom": {"type": "date"}}},
               "Ping": {}
             }}
            """)
        #expect(manifest.posthogVersion == ">= 1.25.0")
        #expect(manifest.isStateless)
        #expect(manifest.description == nil)
        #expect(manifest.main == nil)
        #expect(manifest.configSchema.isEmpty)
        #expect(
            manifest.publicJobs == [
                "Export events": PublicJobSpec(payload: #"{"dateTo": {"type": "date", "required": true}, "dateFrom": {"type": "date"}}"#),
                "Ping": PublicJobSpec(payload: "{}"),
            ])
    }

    @Test func namesWhatIsWrongWithAManifest() {
        #expect(parseError(#"{"name": "x",}"#) == "plugin.json is not valid JSON: unexpected character '}' at line 1, column 14")
        #expect(parseError("{\n  \"name\": \"x\"\n") == "plugin.json is not valid JSON: unexpected end of input at line 3, column 1")
        #expect(parseError("") == "plugin.json is not valid JSON: unexpected end of input at line 1, column 1")
        #expect(parseError("[]") == "plugin.json must be a JSON object")
        #expect(parseError(#"{"url": "u"}"#) == "plugin.json: 'name' is missing")
        #expect(parseError(#"{"name": 3}"#) == "plugin.json: 'name' must be a string")
        #expect(parseError(#"{"name": "x", "stateless": "yes"}"#) == "plugin.json: 'stateless' must be true or false")
        #expect(parseError(#"{"name": "x", "config": "a"}"#) == "plugin.json: 'config' must be an object or an array")
        #expect(
            parseError(#"{"name": "x", "config": [{"markdown": "m"}, {"type": "string"}, {"name": "n"}]}"#) == "config[1]: 'key' is missing"
        )
        #expect(parseError(#"{"name": "x", "config": [{"key": "x", "type": "choice"}]}"#) == "config 'x': type 'choice' needs 'choices'")
        #expect(
            parseError(#"{"name": "x", "config": {"x": {"type": "choice", "choices": []}}}"#) == "config 'x': type 'choice' needs 'choices'"
        )
        #expect(parseError(#"{"name": "x", "config": {"x": {"choices": [1]}}}"#) == "config 'x': 'choices' must be an array of strings")
        #expect(parseError(#"{"name": "x", "config": {"x": {"required": "no"}}}"#) == "config 'x': 'required' must be true or false")
        #expect(parseError(#"{"name": "x", "config": {"x": {"order": 1.5}}}"#) == "config 'x': 'order' must be an integer")
        #expect(parseError(#"{"name": "x", "config": {"x": 1}}"#) == "config 'x' must be a JSON object")
        #expect(
            parseError(#"{"name": "x", "config": [{"key": "x", "required_if": ["y"]}]}"#)
                == "config 'x': 'required_if' must be an array of [key] or [key, value] pairs of strings")
        #expect(
            parseError(#"{"name": "x", "publicJobs": {"J": {"payload": []}}}"#) == "publicJobs 'J': 'payload' must be an object")
    }

    @Test func readsJSONStringsNumbersAndEscapes() throws {
        let manifest = try parse("\u{FEFF}" + #"{"name": "first", "config": {"n": {"default": -1.5e+3}}, "name": "last wins"}"#)
        #expect(manifest.name == "last wins")
        #expect(manifest.configSchema.first?.defaultValue == "-1.5e+3")
        let escaped = try parse(#"{"name": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \t ✓ \ud800"}"#)
        #expect(escaped.name == "café 😀 \"q\" \\ / \t ✓ \u{FFFD}")
        #expect(parseError(#"{"name": "a\qb"}"#) == #"plugin.json is not valid JSON: invalid escape '\q' at line 1, column 13"#)
        #expect(parseError("{\"name\": \"a\nb\"}") == "plugin.json is not valid JSON: control character in a string at line 1, column 12")
        #expect(parseError(#"{"name": 01}"#) == "plugin.json is not valid JSON: unexpected character '1' at line 1, column 11")
        #expect(parseError(#"{"name": "x"} x"#) == "plugin.json is not valid JSON: unexpected character 'x' at line 1, column 15")
        #expect(parseError(String(repeating: "[", count: 600)) != nil)
    }

    // MARK: validation

    @Test func fillsDefaultsOnlyForKeysNotGiven() throws {
        let fields = try schema(
            #"{"a": {"default": "A"}, "b": {"default": "B"}, "c": {"type": "string"}, "f": {"type": "attachment", "default": "x"}}"#)
        #expect(try fields.validate(["b": "", "c": "given"], attachmentKeys: []) == ["a": "A", "b": "", "c": "given"])
    }

    @Test func requiredFieldsNeedANonEmptyValueOrADefault() throws {
        let fields = try schema(
            #"{"plain": {"required": true}, "defaulted": {"required": true, "default": "d"}, "optional": {}}"#)
        #expect(validationErrors(fields, [:]) == [.init(key: "plain", message: "required value is missing")])
        #expect(validationErrors(fields, ["plain": ""]) == [.init(key: "plain", message: "required value is missing")])
        #expect(
            validationErrors(fields, ["plain": "p", "defaulted": ""]) == [.init(key: "defaulted", message: "required value is missing")])
        #expect(try fields.validate(["plain": "p"], attachmentKeys: []) == ["plain": "p", "defaulted": "d"])
    }

    @Test func requiredIfNeedsAllItsDependenciesToMatch() throws {
        let fields = try schema(
            """
            [{"key": "mode", "type": "choice", "choices": ["simple", "advanced"], "default": "simple"},
             {"key": "token"},
             {"key": "secret", "required_if": [["mode", "advanced"]]},
             {"key": "tokenSecret", "required_if": [["token"], ["mode", "advanced"]]}]
            """)
        #expect(validationErrors(fields, [:]).isEmpty)
        #expect(validationErrors(fields, ["token": "t"]).isEmpty)
        #expect(
            validationErrors(fields, ["mode": "advanced"]) == [.init(key: "secret", message: "required value is missing")])
        #expect(
            validationErrors(fields, ["mode": "advanced", "token": "t"]) == [
                .init(key: "secret", message: "required value is missing"),
                .init(key: "tokenSecret", message: "required value is missing"),
            ])
        #expect(validationErrors(fields, ["mode": "advanced", "token": "t", "secret": "s", "tokenSecret": "ts"]).isEmpty)
    }

    @Test func aFieldHiddenByVisibleIfIsNeverRequired() throws {
        let fields = try schema(
            """
            [{"key": "kind"},
             {"key": "url", "required": true, "visible_if": [["kind", "http"]]},
             {"key": "path", "required_if": [["kind"]], "visible_if": [["kind", "file"]]}]
            """)
        #expect(validationErrors(fields, [:]).isEmpty)
        #expect(validationErrors(fields, ["kind": "s3"]).isEmpty)
        #expect(validationErrors(fields, ["kind": "http"]) == [.init(key: "url", message: "required value is missing")])
        #expect(validationErrors(fields, ["kind": "file"]) == [.init(key: "path", message: "required value is missing")])
    }

    @Test func choiceValuesMustBeAmongTheChoices() throws {
        let fields = try schema(#"[{"key": "mode", "type": "choice", "choices": ["a", "b"]}]"#)
        #expect(try fields.validate(["mode": "b"], attachmentKeys: []) == ["mode": "b"])
        #expect(try fields.validate(["mode": ""], attachmentKeys: []) == ["mode": ""])
        #expect(validationErrors(fields, ["mode": "x"]) == [.init(key: "mode", message: "'x' is not one of the choices: a, b")])
    }

    @Test func jsonValuesMustParse() throws {
        let fields = try schema(#"[{"key": "mapping", "type": "json"}]"#)
        #expect(try fields.validate(["mapping": #"{"a": [1, true, null]}"#], attachmentKeys: []) == ["mapping": #"{"a": [1, true, null]}"#])
        #expect(
            validationErrors(fields, ["mapping": "{a: 1}"]) == [
                .init(key: "mapping", message: "is not valid JSON: unexpected character 'a' at line 1, column 2")
            ])
    }

    @Test func attachmentsComeAsFilesNotValues() throws {
        let fields = try schema(#"{"db": {"type": "attachment", "required": true}, "extra": {"type": "attachment"}}"#)
        #expect(try fields.validate([:], attachmentKeys: ["db"]) == [:])
        #expect(validationErrors(fields, [:]) == [.init(key: "db", message: "required attachment is missing")])
        #expect(
            validationErrors(fields, ["extra": "text"], attachments: ["db"]) == [
                .init(key: "extra", message: "is an attachment: upload a file instead of giving a value")
            ])
        let dependent = try schema(#"[{"key": "db", "type": "attachment"}, {"key": "table", "required_if": [["db"]]}]"#)
        #expect(validationErrors(dependent, [:]).isEmpty)
        #expect(validationErrors(dependent, [:], attachments: ["db"]) == [.init(key: "table", message: "required value is missing")])
    }

    @Test func unknownKeysAreErrorsOnlyWhenThereIsASchema() throws {
        let fields = try schema(#"{"bar": {}}"#)
        #expect(validationErrors(fields, ["bar": "1", "foo": "2"]) == [.init(key: "foo", message: "no such field in plugin.json")])
        #expect(try [ConfigField]().validate(["foo": "2"], attachmentKeys: []) == ["foo": "2"])
    }

    @Test func collectsEveryErrorAndNamesEachField() throws {
        let fields = try schema(
            """
            [{"markdown": "Settings"},
             {"key": "bar", "required": true},
             {"key": "mode", "type": "choice", "choices": ["a", "b"]},
             {"key": "mapping", "type": "json"},
             {"key": "db", "type": "attachment", "required": true}]
            """)
        do {
            _ = try fields.validate(["mode": "x", "mapping": "[", "nope": "1"], attachmentKeys: [])
            Issue.record("validation passed")
        } catch {
            #expect(error.fieldErrors.map(\.key) == ["bar", "mode", "mapping", "db", "nope"])
            #expect(
                error.description
                    == "config 'bar': required value is missing; config 'mode': 'x' is not one of the choices: a, b; "
                    + "config 'mapping': is not valid JSON: unexpected end of input at line 1, column 2; "
                    + "config 'db': required attachment is missing; config 'nope': no such field in plugin.json")
        }
    }

    // MARK: package folders

    @Test func findsTheEntryFromMainThenIndexJSThenIndexTS() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(#"{"name": "p"}"#, to: "plugin.json")
        try folder.write("export {}", to: "index.ts")
        #expect(try PluginPackage.load(directory: folder.url).entryPath == "index.ts")
        try folder.write("exports.a = 1", to: "index.js")
        #expect(try PluginPackage.load(directory: folder.url).entryPath == "index.js")
        try folder.write(#"{"name": "p", "main": "dist/main.js"}"#, to: "plugin.json")
        try folder.write("exports.a = 1", to: "dist/main.js")
        let package = try PluginPackage.load(directory: folder.url)
        #expect(package.entryPath == "dist/main.js")
        #expect(package.manifest.name == "p")
        #expect(package.directory == folder.url)
    }

    @Test func namesAMissingEntryFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(#"{"name": "p"}"#, to: "plugin.json")
        #expect(
            packageError(folder.url)
                == "\(folder.url.path) has no entry file: plugin.json names no 'main', and there is no index.js or index.ts")
        try folder.write(#"{"name": "p", "main": "src/main.ts"}"#, to: "plugin.json")
        try folder.write("exports.a = 1", to: "index.js")
        #expect(
            packageError(folder.url) == "The entry file 'src/main.ts' named by 'main' in plugin.json is missing from \(folder.url.path)")
    }

    @Test func namesAMissingOrBrokenPluginJSON() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.url.appending(path: "plugin.json").path
        #expect(packageError(folder.url) == "Could not load plugin.json at \(path): no such file")
        try folder.write(#"{"description": "d"}"#, to: "plugin.json")
        #expect(packageError(folder.url) == "Could not load plugin.json at \(path): plugin.json: 'name' is missing")
    }

    private func packageError(_ folder: URL) -> String? {
        do {
            _ = try PluginPackage.load(directory: folder)
            return nil
        } catch {
            return error.description
        }
    }
}
