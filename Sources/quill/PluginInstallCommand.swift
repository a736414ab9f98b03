import ArgumentParser
import Foundation
import OrderedJSON
import PluginRuntime
import PluginServer
import Storage
import StorageSQLite

/// `quill plugin install DIR`: stores a plugin folder and an enabled config of it for a project.
struct PluginInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a plugin folder for a project of the server's database, enabled.",
        discussion: "A running server picks the plugin up when it next starts."
    )

    @Argument(help: "The plugin's folder (with plugin.json).")
    var directory: String

    @Option(help: "Folder of the server's SQLite database (QUILL_DATA_DIR). Default ./data.")
    var dataDir: String?

    @Option(help: "The project to install it for. Default: the default project (1).")
    var projectID: Int?

    @Option(help: "The config's place in the project's chain; lower runs first.")
    var order: Int = 0

    @Option(name: .customLong("config"), help: "A config value, as key=value; repeat for more.")
    var configValues: [String] = []

    func run() async throws {
        try await reportingFailures {
            let package = try loadPackage(directory)
            let config: [String: String]
            do {
                config = try package.manifest.configSchema.validate(
                    try keyValuePairs(configValues, option: "--config"), attachmentKeys: [])
            } catch let error as ConfigValidationError {
                throw CommandFailure(error.description, exitCode: usageExitCode)
            }
            let code = try await compile(package)

            var configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
            if let dataDir { configuration.dataDirectory = URL(fileURLWithPath: dataDir) }
            let database = try await QuillServer.openDatabase(configuration: configuration) { print($0) }
            let projects = SQLiteProjectStore(database: database)
            guard let project = try await projects.project(id: projectID ?? 1) else {
                throw CommandFailure("There is no project \(projectID ?? 1) in \(configuration.databaseURL.path).")
            }
            let plugins = SQLitePluginStore(database: database)
            let pluginID = try await plugins.install(
                NewPlugin(
                    organizationID: project.organizationID, pluginType: "local", name: package.manifest.name,
                    description: package.manifest.description, url: "file:\(package.directory.standardizedFileURL.path)",
                    configSchema: try configSchemaJSON(of: package), transpiledCode: code.code))
            let configID = try await plugins.createPluginConfig(
                teamID: project.id, pluginID: pluginID, order: order, config: config, enabled: true)
            print("Installed \(package.manifest.name) (plugin \(pluginID)) for project \(project.id) as plugin config \(configID).")
        }
    }

    /// `plugin.json`'s `config` as written (object or array form), for the management API to show.
    private func configSchemaJSON(of package: PluginPackage) throws -> String {
        let manifest = try Data(contentsOf: package.directory.appending(path: "plugin.json"))
        return (try? JSONValue.parse(Array(manifest)))?["config"]?.serializedString ?? "[]"
    }
}
