import Foundation
import PluginRuntime
import QuillTestSupport
import Testing

/// Runs each case of `NodeCompatibility/cases/*.json` in a plugin VM and compares its result with what
/// Node 20 gave (`expected/*.json`, made by `scripts/generate-node-fixtures.mjs`).
@Suite struct NodeCompatibilityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var area: String
        var name: String
        var testDescription: String { "\(area): \(name)" }
    }

    static let folder = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginRuntimeTests/NodeCompatibility")

    static let areas: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.appending(path: "cases").path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    static let cases: [Case] = areas.flatMap { area in
        caseList(area).compactMap { ($0["name"] as? String).map { Case(area: area, name: $0) } }
    }

    static func caseList(_ area: String) -> [[String: Any]] {
        let data = (try? Data(contentsOf: folder.appending(path: "cases/\(area).json"))) ?? Data("[]".utf8)
        return (try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    /// One plugin VM per area, loaded with all of the area's cases; an event named after a case runs it.
    static let harnesses = AreaHarnesses()

    @Test func thereAreCases() {
        #expect(!Self.cases.isEmpty)
    }

    @Test(arguments: cases)
    func behavesAsNodeDoes(_ testCase: Case) async throws {
        let expectedData = try Data(contentsOf: Self.folder.appending(path: "expected/\(testCase.area).json"))
        let expectedAll = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
        let expected = try #require(expectedAll[testCase.name], "no Node fixture: run scripts/generate-node-fixtures.mjs")

        let harness = try await Self.harnesses.harness(for: testCase.area)
        let (event, _) = try await harness.process(["event": testCase.name, "properties": [:], "team_id": 2])
        let actual = try #require((event?["properties"] as? [String: Any])?["result"])
        #expect(Self.text(actual) == Self.text(expected), "Quill: \(Self.text(actual))\nNode:  \(Self.text(expected))")
    }

    static func text(_ value: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
}

actor AreaHarnesses {
    private var loaded: [String: Task<PluginHarness, any Error>] = [:]

    func harness(for area: String) async throws -> PluginHarness {
        if let task = loaded[area] { return try await task.value }
        let task = Task { try await Self.load(area) }
        loaded[area] = task
        return try await task.value
    }

    private static func load(_ area: String) async throws -> PluginHarness {
        let folder = NodeCompatibilityTests.folder
        let normalize = try String(contentsOf: folder.appending(path: "normalize.js"), encoding: .utf8)
        let cases = try String(contentsOf: folder.appending(path: "cases/\(area).json"), encoding: .utf8)
        let harness = try PluginHarness()
        let outcome = try await harness.load(
            """
            const normalize = \(normalize)
            const CASES = \(cases)
            const AsyncFunction = (async () => {}).constructor
            export async function processEvent(event) {
              const found = CASES.find((c) => c.name === event.event)
              try {
                event.properties.result = { value: normalize(await new AsyncFunction('require', found.code)(require)) }
              } catch (error) {
                event.properties.result = { error: error && error.name ? error.name : String(error) }
              }
              return event
            }
            """)
        guard case .ready = outcome else { throw HarnessError(description: "the \(area) cases did not load: \(outcome)") }
        return harness
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}
