import ArgumentParser
import Foundation
import PluginManifest
import PluginRuntime
import PluginServer

/// `quill plugin install DIR`: stores a plugin folder and an enabled config of it for a project.
struct PluginInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a plugin folder for a project of the server's database, enabled.",
        discussion: """
            A running server picks the plugin up when it next starts; to install into a running server, \
            use the management API (POST /api/organizations/@current/plugins/).
            """
    )

    @Argument(help: "The plugin's folder (with plugin.json).")
    var directory: String

    @OptionGroup var dataDirectory: DataDirectoryOption

    @Option(help: "The project to install it for. Default: the default project (1).")
    var projectID: Int = 1

    @Option(help: "The config's place in the project's chain; lower runs first.")
    var order: Int = 0

    @Option(name: .customLong("config"), help: "A config value, as key=value; repeat for more.")
    var configValues: [String] = []

    func run() async throws {
        try await reportingFailures {
            let configuration = try dataDirectory.configuration()
            let storage = try await QuillServer.openStorage(configuration: configuration) { print($0) }
            let values = try keyValuePairs(configValues, option: "--config")
            do {
                let installed = try await FolderInstallation.install(
                    URL(fileURLWithPath: directory), storage: storage, secrets: try ConfigSecrets.load(for: configuration),
                    projectID: projectID, order: order, config: values)
                print("Installed \(installed.name) (plugin \(installed.pluginID)) for project \(projectID) as plugin config \(installed.configID).")
            } catch let error as ConfigValidationError {
                throw CommandFailure(error.description, exitCode: usageExitCode)
            } catch let error as APIError {
                throw CommandFailure(error.detail)
            }
        }
    }
}
