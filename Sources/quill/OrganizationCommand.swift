import ArgumentParser
import Foundation
import PluginServer

/// `quill organization create NAME`: another tenant, with its own project and personal API key.
struct OrganizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organization",
        abstract: "Manage organizations (tenants) of the server's database.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organization with a project; prints its project API key and a personal API key.")

        @Argument(help: "The organization's name.")
        var name: String

        @OptionGroup var dataDirectory: DataDirectoryOption

        func run() async throws {
            let configuration = try dataDirectory.configuration()
            let storage = try await QuillServer.openStorage(configuration: configuration) { print($0) }
            let created = try await QuillServer.createOrganization(named: name, storage: storage)
            print(
                """
                Created organization '\(name)' with project \(created.projectID).
                  Project API key, for sending events:     \(created.projectAPIKey)
                  Personal API key, for the management API: \(created.personalAPIKey)
                The personal API key is stored hashed and not shown again.
                """)
        }
    }
}
