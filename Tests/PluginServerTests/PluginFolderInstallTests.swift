import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// Installing from a folder on the server (`file:` URLs) through the management API, which only
/// reads folders the operator lists in `QUILL_PLUGIN_FOLDERS`.
@Suite struct PluginFolderInstallTests {
    static let plugin = [
        "plugin.json": #"{"name": "Folder plugin"}"#,
        "index.js": "export function processEvent(event) { return event }",
    ]

    private func install(_ api: Management, _ url: String) async throws -> HTTPResult {
        try await api.send(.post, "/api/organizations/@current/plugins/", json: ["url": .string(url)])
    }

    @Test func withoutTheSettingFolderInstallsAreRefused() async throws {
        let folder = try TemporaryFolder(Self.plugin)
        let server = try ServerProcess()
        try await server.start()
        let refused = try await install(Management(port: server.port), "file:\(folder.path)")
        #expect(refused.status == 400)
        #expect(refused.json?["detail"]?.stringValue?.contains("must list the folders plugins may come from in QUILL_PLUGIN_FOLDERS") == true)
        #expect(!refused.text.contains(folder.path))
        await server.stop()
    }

    @Test func onlyFoldersUnderTheAllowedOnesInstallAndNothingElseIsRevealed() async throws {
        let allowed = try TemporaryFolder()
        try allowed.write(Self.plugin["plugin.json"]!, to: "good/plugin.json")
        try allowed.write(Self.plugin["index.js"]!, to: "good/index.js")
        let outside = try TemporaryFolder(Self.plugin)
        try "operator's secret".write(to: outside.url.appending(path: "secret.txt"), atomically: true, encoding: .utf8)
        let files = FileManager.default
        // A link to a plugin folder outside, and a plugin folder with a file linked from outside.
        try files.createSymbolicLink(atPath: allowed.url.appending(path: "escape").path, withDestinationPath: outside.path)
        try allowed.write(Self.plugin["plugin.json"]!, to: "leaky/plugin.json")
        try allowed.write(Self.plugin["index.js"]!, to: "leaky/index.js")
        try files.createSymbolicLink(
            atPath: allowed.url.appending(path: "leaky/notes.txt").path, withDestinationPath: outside.url.appending(path: "secret.txt").path)

        let server = try ServerProcess(environment: ["QUILL_PLUGIN_FOLDERS": "/nonexistent/elsewhere:\(allowed.path)"])
        try await server.start()
        let api = Management(port: server.port)

        let installed = try await install(api, "file:\(allowed.path)/good")
        #expect(installed.status == 201, "\(installed.text)")
        #expect(installed.json?["name"] == "Folder plugin")

        // Outside, existing or not, reached by `..` or through a link: one answer, naming nothing.
        var answers: [String] = []
        for path in [outside.path, "/no/such/folder", "\(allowed.path)/../\(outside.url.lastPathComponent)", "\(allowed.path)/escape",
            "\(allowed.path)/escape/missing", "\(allowed.path)/missing/../../\(outside.url.lastPathComponent)", "/"]
        {
            let refused = try await install(api, "file:\(path)")
            #expect(refused.status == 400, "\(path): \(refused.text)")
            answers.append(refused.text)
        }
        #expect(Set(answers).count == 1, "\(answers)")
        let detail = try #require(answers.first.flatMap { try? JSONValue.parse($0) }?["detail"]?.stringValue)
        #expect(detail == "That path is not under a folder this server allows (QUILL_PLUGIN_FOLDERS).")

        // A file linked from outside the plugin folder is refused without saying where it leads.
        let leaky = try await install(api, "file:\(allowed.path)/leaky")
        #expect(leaky.status == 400)
        #expect(leaky.json?["detail"] == "'notes.txt' in the plugin folder is a link that leads out of it.")

        // A missing folder under an allowed one is named, as it tells nothing about the rest of the disk.
        let missing = try await install(api, "file:\(allowed.path)/missing")
        #expect(missing.json?["detail"]?.stringValue == "There is no folder at \(allowed.path)/missing.")

        // The operator's own command line installs from anywhere.
        let command = try await server.runQuill(["plugin", "install", outside.path])
        #expect(command.status == 0, "\(command.output)")
        await server.stop()
    }
}
