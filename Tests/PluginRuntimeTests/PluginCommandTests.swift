import Foundation
import QuillTestSupport
import Testing

/// `quill plugin run` and `quill plugin validate`, run as a separate process on real plugin folders.
@Suite struct PluginCommandTests {
    /// Every folder under `examples/` with a `test/input.jsonl` and `test/expected.jsonl`.
    static let examples: [String] = {
        let root = QuillExecutable.repositoryRoot.appending(path: "examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root.appending(path: "\($0)/test/expected.jsonl").path) }
            .sorted()
    }()

    @Test func theSeedExamplesAreHere() {
        #expect(Self.examples.contains("hello-world"))
        #expect(Self.examples.contains("hello-world-ts"))
    }

    @Test(arguments: examples)
    func exampleProducesItsExpectedOutput(name: String) async throws {
        let folder = QuillExecutable.repositoryRoot.appending(path: "examples/\(name)")
        let argumentsFile = folder.appending(path: "test/args")
        let extraArguments = (try? String(contentsOf: argumentsFile, encoding: .utf8))?
            .split(separator: "\n").map(String.init) ?? []
        let output = try await QuillProcess.run(
            ["plugin", "run", folder.path] + extraArguments + [folder.appending(path: "test/input.jsonl").path])
        let expected = try String(contentsOf: folder.appending(path: "test/expected.jsonl"), encoding: .utf8)
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == expected)
    }

    @Test func readsStandardInputAndPrintsNullForDroppedEvents() async throws {
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "dropper"}"#,
            "index.js": "export function processEvent(event) { console.info('saw', event.event); return event.event === 'drop me' ? null : event }",
        ])
        let output = try await QuillProcess.run(
            ["plugin", "run", plugin.path, "-"], input: "{\"event\":\"drop me\"}\n\n{\"event\":\"keep me\"}\n")
        #expect(output.status == 0)
        #expect(output.standardOutput == "null\n{\"event\":\"keep me\"}\n")
        #expect(output.standardError.contains("[INFO] saw drop me"))
        #expect(output.standardError.contains("[INFO] saw keep me"))
    }

    @Test func linesEndInLFOrCRLFAndBlankOnesAreSkippedButCounted() async throws {
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "renamer"}"#,
            "index.js": "export function processEvent(event) { return { ...event, event: event.event + '!' } }",
        ])
        let output = try await QuillProcess.run(
            ["plugin", "run", plugin.path], input: "{\"event\":\"a\"}\r\n \t\r\n\n{\"event\":\"b\"}\n{\"event\":")
        #expect(output.standardOutput == "{\"event\":\"a!\"}\n{\"event\":\"b!\"}\n")
        #expect(output.status == 65)
        #expect(output.standardError.contains("Error: stdin:5: event is not valid JSON"))
    }

    /// Without processEvent each event comes out as it went in: lines across the reader's 1 MiB chunks, in order.
    @Test func aLargeFileComesThroughWholeAndInOrder() async throws {
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "idle"}"#, "index.js": "export function setupPlugin() {}",
        ])
        let lines = (0..<30_000).map { #"{"event":"e","properties":{"n":\#($0),"pad":"\#(String(repeating: "x", count: $0 % 97))"}}"# }
        let work = try TemporaryFolder(["events.jsonl": lines.joined(separator: "\n")])
        let output = try await QuillProcess.run(["plugin", "run", plugin.path, work.url.appending(path: "events.jsonl").path])
        #expect(output.status == 0)
        #expect(output.standardOutput == lines.joined(separator: "\n") + "\n")
    }

    @Test func failingEventsMakeTheRunFail() async throws {
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "thrower"}"#,
            "index.js": "export function processEvent(event) { if (event.event === 'bad') throw new TypeError('no bad events'); return event }",
        ])
        let output = try await QuillProcess.run(["plugin", "run", plugin.path], input: "{\"event\":\"bad\"}\n{\"event\":\"good\"}\n")
        #expect(output.status == 1)
        #expect(output.standardOutput == "{\"event\":\"bad\"}\n{\"event\":\"good\"}\n")
        #expect(output.standardError.contains("[PLUGIN ERROR] TypeError: no bad events"))
        #expect(output.standardError.contains("Error: processEvent failed on 1 of 2 events"))
    }

    @Test func hostilePluginIsStoppedAndTheRunGoesOn() async throws {
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "spinner"}"#,
            "index.js": "function processEvent(event) { if (event.event === 'spin') { while (true) {} } return event }",
        ])
        let output = try await QuillProcess.run(
            ["plugin", "run", plugin.path, "--time-limit", "0.3"], input: "{\"event\":\"spin\"}\n{\"event\":\"calm\"}\n")
        #expect(output.status == 1)
        #expect(output.standardOutput == "{\"event\":\"spin\"}\n{\"event\":\"calm\"}\n")
        #expect(output.standardError.contains("TimeoutError: Script execution timed out after 0.3 seconds in processEvent"))
    }

    @Test func setupRetryErrorIsReportedAndTheRunGoesOn() async throws {
        let folder = QuillExecutable.repositoryRoot.appending(path: "examples/hello-world-ts")
        let output = try await QuillProcess.run(
            ["plugin", "run", folder.path, "--config", "name=nobody yet"], input: "{\"event\":\"x\",\"properties\":{}}\n")
        #expect(output.standardError.contains("setupPlugin failed with RetryError (attempt 1/6): No one to greet yet"))
    }

    @Test func badInputIsAClearError() async throws {
        let folder = QuillExecutable.repositoryRoot.appending(path: "examples/hello-world")
        let output = try await QuillProcess.run(["plugin", "run", folder.path], input: "{\"event\":\"fine\"}\n{\"event\":\n")
        #expect(output.status == 65)
        #expect(output.standardOutput == "{\"event\":\"fine\"}\n")
        #expect(output.standardError.contains("Error: stdin:2: event is not valid JSON"))
    }

    @Test func badConfigNamesTheField() async throws {
        let folder = QuillExecutable.repositoryRoot.appending(path: "examples/hello-world-ts")
        let output = try await QuillProcess.run(["plugin", "run", folder.path, "--config", "greeting=Yo"], input: "")
        #expect(output.status == 64)
        #expect(output.standardError.contains("config 'greeting': 'Yo' is not one of the choices: Hello, Hi, Ahoy"))
    }

    @Test func brokenPluginFailsToLoadWithItsError() async throws {
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "broken"}"#,
            "index.ts": "export function processEvent(event: any) {\n  return event +\n}\n",
        ])
        let run = try await QuillProcess.run(["plugin", "run", plugin.path], input: "{}\n")
        #expect(run.status == 1)
        #expect(run.standardError.contains("index.ts:3:"))
        let validate = try await QuillProcess.run(["plugin", "validate", plugin.path])
        #expect(validate.status == 1)
        #expect(validate.standardError.contains("index.ts:3:"))
    }

    @Test func importOfAnUnprovidedModuleIsRefusedByName() async throws {
        let plugin = try TemporaryFolder([
            "plugin.json": #"{"name": "needs-fs"}"#,
            "index.js": "const fs = require('fs')\nexport function processEvent(e) { return e }\n",
        ])
        let output = try await QuillProcess.run(["plugin", "validate", plugin.path])
        #expect(output.status == 1)
        #expect(output.standardError.contains("Cannot import 'fs'! This package is not provided by Quill."))
    }

    @Test func validateAcceptsTheSeedExamples() async throws {
        for name in ["hello-world", "hello-world-ts"] {
            let output = try await QuillProcess.run(
                ["plugin", "validate", QuillExecutable.repositoryRoot.appending(path: "examples/\(name)").path])
            #expect(output.status == 0, "\(output.standardError)")
        }
    }
}
