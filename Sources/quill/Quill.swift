import ArgumentParser

@main
struct Quill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A PostHog-compatible plugin server.",
        subcommands: [ServeCommand.self, PluginCommand.self, OrganizationCommand.self, ProjectCommand.self]
    )
}
