import ArgumentParser
import Foundation
import PluginServer
import Storage

/// Fills a data folder with projects that each have one enabled config of the same plugin, for the
/// scale benchmark. The plugin is installed and checked once (as `quill plugin install` does); the other
/// organizations get copies of it through the same store calls, without compiling it a thousand times.
struct PopulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "populate",
        abstract: "Create projects (one organization each) with one enabled config of a plugin.",
        discussion: "The default project gets QUILL_PROJECT_API_KEY and QUILL_PERSONAL_API_KEY, as in quill serve."
    )

    @Option(help: "The server's data folder.")
    var dataDir: String

    @Option(help: "How many projects, the default one included.")
    var projects: Int

    @Option(help: "The plugin's folder.")
    var plugin: String

    @Option(name: .customLong("config"), help: "A config value, as key=value; repeat for more.")
    var configValues: [String] = []

    func run() async throws {
        var configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        configuration.dataDirectory = URL(fileURLWithPath: dataDir)
        let storage = try await QuillServer.openStorage(configuration: configuration) { _ in }
        var config: [String: String] = [:]
        for pair in configValues {
            guard let separator = pair.firstIndex(of: "=") else { throw ValidationError("--config takes key=value") }
            config[String(pair[..<separator])] = String(pair[pair.index(after: separator)...])
        }
        let installed = try await FolderInstallation.install(
            URL(fileURLWithPath: plugin), storage: storage, secrets: try ConfigSecrets.load(for: configuration), projectID: 1,
            order: 0, config: config)

        let store = storage.plugins
        guard let record = try await store.plugin(id: installed.pluginID),
            let code = try await store.transpiledCode(pluginID: installed.pluginID),
            let checkedConfig = try await store.pluginConfig(id: installed.configID)?.config
        else { throw ValidationError("the installed plugin could not be read back") }
        let contents = PluginContents(
            pluginType: record.pluginType, name: record.name, description: record.description, url: record.url,
            tag: record.tag, configSchema: record.configSchema, publicJobs: record.publicJobs,
            capabilities: record.capabilities, transpiledCode: code, files: try await store.files(pluginID: installed.pluginID))
        for index in 1..<max(projects, 1) {
            let created = try await QuillServer.createOrganization(named: "Bench \(index)", storage: storage)
            guard let project = try await storage.projects.project(id: created.projectID) else {
                throw ValidationError("project \(created.projectID) was not created")
            }
            let pluginID = try await store.install(contents, organizationID: project.organizationID)
            _ = try await store.createPluginConfig(
                teamID: project.id, pluginID: pluginID, order: 0, config: checkedConfig, enabled: true)
        }
    }
}
