import ArgumentParser
import Foundation
import PluginServer
import Storage

/// `quill project update ID --session-recording-opt-in true`: a project's settings, as the management API's
/// `PATCH /api/projects/:id/` changes them.
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Manage projects of the server's database.",
        subcommands: [Update.self]
    )

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a project's settings; a running server sees the change at once.")

        @Argument(help: "The project's id.")
        var id: Int

        @Option(help: "Whether posthog-js records sessions (sent to /s), as /decide and /flags tell it: true or false.")
        var sessionRecordingOptIn: Bool

        @OptionGroup var dataDirectory: DataDirectoryOption

        func run() async throws {
            let configuration = try dataDirectory.configuration()
            let storage = try await QuillServer.openStorage(configuration: configuration) { print($0) }
            guard try await QuillServer.setSessionRecordingOptIn(sessionRecordingOptIn, projectID: id, storage: storage) else {
                throw ValidationError("There is no project \(id) in \(storage.location).")
            }
            print("Project \(id): session recordings \(sessionRecordingOptIn ? "on" : "off").")
        }
    }
}
