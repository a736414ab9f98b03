import Foundation
import QuillTestSupport
import Testing

/// `quill plugin test`, run as a separate process on the plugins of `JestFixtures/` (each exercising part of the
/// Jest surface, passing and failing) and on every example plugin's own tests.
@Suite struct PluginTestCommandTests {
    static let fixtures = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginRuntimeTests/JestFixtures")

    /// A copy of a fixture in a temporary folder: runs write snapshots, which must not land in the repository.
    static func copy(_ fixture: String, from root: URL = fixtures) throws -> (folder: TemporaryFolder, plugin: URL) {
        let folder = try TemporaryFolder()
        let plugin = folder.url.appending(path: fixture)
        try FileManager.default.copyItem(at: root.appending(path: fixture), to: plugin)
        return (folder, plugin)
    }

    static func test(_ plugin: URL, _ arguments: [String] = []) async throws -> QuillProcess.Output {
        try await QuillProcess.run(["plugin", "test", plugin.path] + arguments)
    }

    static func lastLine(_ output: QuillProcess.Output) -> String {
        output.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test(arguments: [
        ("structure", "17 passed, 0 failed, 3 skipped, 1 todo"),
        ("only", "2 passed, 0 failed, 2 skipped"),
        ("matchers", "14 passed, 0 failed"),
        ("mocks", "13 passed, 0 failed"),
        ("fetch-mock", "7 passed, 0 failed"),
        ("timers", "11 passed, 0 failed"),
        ("scaffold", "11 passed, 0 failed"),
        ("package-config", "1 passed, 0 failed"),
    ])
    func passingFixture(name: String, summary: String) async throws {
        let (folder, plugin) = try Self.copy(name)
        let output = try await Self.test(plugin)
        #expect(Self.lastLine(output) == summary, "\(output.standardOutput)\n\(output.standardError)")
        #expect(output.status == 0)
        withExtendedLifetime(folder) {}
    }

    @Test func printsEachTestWithItsDescribeBlocks() async throws {
        let (folder, plugin) = try Self.copy("structure")
        let output = try await Self.test(plugin)
        let lines = output.standardOutput.split(separator: "\n").map(String.init)
        // Without the durations, which depend on the machine.
        let tests = lines.map { $0.replacing(/\s\(\d+ ms\)$/, with: "") }
        #expect(lines.first == "index.test.js")
        for expected in [
            "  ✓ hooks › run outer to inner before a test", "  ✓ each › add(1, 2) is 3", "  ✓ each › object row 1 + 2",
            "  ✓ each › template 2 + 3 = 5", "  ✓ each › single value y", "  ✓ each › block beta › gets its row",
            "  ○ skipped skipping › a skipped test", "  ○ skipped skipping › a skipped block › inside it",
            "  ✎ todo skipping › a test to write",
        ] {
            #expect(tests.contains(expected), "missing \(expected) in\n\(output.standardOutput)")
        }
        #expect(lines.contains { $0.hasPrefix("  ✓ async › real timers wait (") && $0.hasSuffix(" ms)") })
        withExtendedLifetime(folder) {}
    }

    @Test func consoleOfATestGoesToStandardErrorAsThePluginLogPrintsIt() async throws {
        let (folder, plugin) = try Self.copy("only")
        let output = try await Self.test(plugin)
        #expect(output.standardError.contains("  console.log: focused {\"plan\":\"pro\"} Error: boom\n"), "\(output.standardError)")
        #expect(!output.standardOutput.contains("console.log"))
        withExtendedLifetime(folder) {}
    }

    @Test func filterRunsTheMatchingTestsOnly() async throws {
        let (folder, plugin) = try Self.copy("structure")
        let output = try await Self.test(plugin, ["--filter", "BLOCK beta"])
        #expect(Self.lastLine(output) == "1 passed, 0 failed, 19 skipped, 1 todo", "\(output.standardOutput)")
        #expect(output.status == 0)
        withExtendedLifetime(folder) {}
    }

    @Test func failuresShowTheDiffTheMessageAndTheLine() async throws {
        let (folder, plugin) = try Self.copy("failures")
        let output = try await Self.test(plugin)
        let text = output.standardOutput
        #expect(output.status == 1)
        #expect(Self.lastLine(output) == "1 passed, 11 failed", "\(text)\n\(output.standardError)")
        #expect(text.contains("Snapshots: 1 failed"))
        // toEqual: Jest's diff, where the assertion is, and the code there.
        #expect(
            text.contains(
                """
                ● failures › toEqual shows a diff

                    expect(received).toEqual(expected) // deep equality

                    - Expected  - 1
                    + Received  + 1

                      Object {
                    -   "plan": "pro",
                    +   "plan": "free",
                        "seats": 3,
                      }

                      at index.test.js:6:
                """), "\(text)")
        #expect(text.contains("    > 6 |         expect(event.properties).toEqual({ plan: 'pro', seats: 3 })"))
        #expect(text.contains("Expected: \"pro\"\n    Received: \"free\""))
        // An error thrown in the plugin is shown in the plugin's file.
        #expect(text.contains("TypeError: "))
        #expect(text.contains("(index.js:3:33)"))
        #expect(text.contains("    > 3 |         return event.properties.missing.value"))
        #expect(text.contains("Exceeded timeout of 100 ms for a test."))
        #expect(text.contains("Exceeded timeout of 200 ms for a test."))
        #expect(text.contains("the callback failed"))
        #expect(text.contains("Expected two assertions to be called but received one assertion call."))
        #expect(text.contains("Received promise resolved instead of rejected"))
        #expect(text.contains("Snapshot name: `failures a snapshot that differs fails 1`"))
        #expect(text.contains("-   \"plan\": \"pro\",\n    +   \"plan\": \"free\","))
        #expect(text.contains("Matcher error: received value must be a mock or spy function"))
        #expect(text.contains("  ✓ failures › this one passes"))
        #expect(text.contains("● a failing beforeEach › fails the test without running it\n\n    TypeError: setup broke"))
        withExtendedLifetime(folder) {}
    }

    @Test func snapshotsAreWrittenCheckedAndUpdated() async throws {
        let (folder, plugin) = try Self.copy("snapshots")
        let snapshotFile = plugin.appending(path: "__snapshots__/index.test.js.snap")
        let testFile = plugin.appending(path: "index.test.js")

        // The first run writes what is missing, in Jest's format, and the inline snapshot into the test.
        let first = try await Self.test(plugin)
        #expect(first.status == 0, "\(first.standardOutput)")
        #expect(first.standardOutput.contains("Snapshots: 15 written"), "\(first.standardOutput)")
        let expected = try String(contentsOf: plugin.appending(path: "expected/index.test.js.snap"), encoding: .utf8)
        #expect(try String(contentsOf: snapshotFile, encoding: .utf8) == expected)
        #expect(
            try String(contentsOf: testFile, encoding: .utf8).contains(
                """
                        expect({ written: true }).toMatchInlineSnapshot(`
                          {
                            "written": true,
                          }
                        `)
                """))

        // The second run checks them all and writes nothing.
        let second = try await Self.test(plugin)
        #expect(Self.lastLine(second) == "8 passed, 0 failed", "\(second.standardOutput)")
        #expect(!second.standardOutput.contains("Snapshots:"))

        // A changed value fails with the snapshot's diff; --update-snapshots takes it.
        let source = try String(contentsOf: testFile, encoding: .utf8)
        try Data(source.replacingOccurrences(of: "plan: 'free'", with: "plan: 'pro'").utf8).write(to: testFile)
        let third = try await Self.test(plugin)
        #expect(third.status == 1)
        #expect(third.standardOutput.contains("Snapshot name: `snapshots of an event 1`"))
        #expect(third.standardOutput.contains("-     \"plan\": \"free\",\n    +     \"plan\": \"pro\","), "\(third.standardOutput)")
        let updated = try await Self.test(plugin, ["--update-snapshots"])
        #expect(updated.status == 0)
        #expect(updated.standardOutput.contains("Snapshots: 1 updated"), "\(updated.standardOutput)")
        #expect(try String(contentsOf: snapshotFile, encoding: .utf8).contains("\"plan\": \"pro\","))

        // --ci writes nothing: a missing snapshot fails.
        try Data(source.replacingOccurrences(of: "'of values'", with: "'of renamed values'").utf8).write(to: testFile)
        let ci = try await Self.test(plugin, ["--ci"])
        #expect(ci.status == 1)
        #expect(ci.standardOutput.contains("New snapshot was not written."))
        withExtendedLifetime(folder) {}
    }

    @Test func filesThatDoNotCompileOrLoadFailTheRun() async throws {
        let (folder, plugin) = try Self.copy("broken")
        let output = try await Self.test(plugin)
        let text = output.standardOutput
        #expect(output.status == 1)
        #expect(Self.lastLine(output) == "1 passed, 0 failed, 3 test files failed", "\(text)")
        #expect(text.contains("syntax.test.js:3:0: Expected \")\" but found \"}\""), "\(text)")
        #expect(text.contains("the test file threw before its tests: function"))
        #expect(text.contains("at global code (throws.test.js:2:11)"))
        #expect(text.contains("unprovided.test.js:1:20: Cannot import 'left-pad'!"))
        #expect(text.contains("  ✓ a sound file still runs"))
        withExtendedLifetime(folder) {}
    }

    @Test func aPluginWithoutTestsIsAnError() async throws {
        let plugin = try TemporaryFolder(["plugin.json": #"{"name": "untested"}"#, "index.js": "exports.processEvent = (e) => e"])
        let output = try await Self.test(plugin.url)
        #expect(output.status != 0)
        #expect(output.standardError.contains("No test files found in \(plugin.url.standardizedFileURL.path)"), "\(output.standardError)")
    }

    /// Every example carries its own Jest tests, written as a plugin author would.
    static let exampleFolder = QuillExecutable.repositoryRoot.appending(path: "examples")
    static let examples: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: exampleFolder.path)) ?? []).filter {
        FileManager.default.fileExists(atPath: exampleFolder.appending(path: "\($0)/plugin.json").path)
    }.sorted()

    @Test(arguments: examples)
    func exampleTestsPass(name: String) async throws {
        let (folder, plugin) = try Self.copy(name, from: Self.exampleFolder)
        let output = try await Self.test(plugin)
        #expect(output.status == 0, "\(output.standardOutput)\n\(output.standardError)")
        #expect(Self.lastLine(output).hasSuffix(" passed, 0 failed"), "\(output.standardOutput)")
        #expect(!Self.lastLine(output).hasPrefix("0 passed"))
        withExtendedLifetime(folder) {}
    }
}
