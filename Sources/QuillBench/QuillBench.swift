import ArgumentParser

/// `quill-bench`: the Swift side of `make bench` (see bench/run.py).
@main
struct QuillBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quill-bench",
        abstract: "Quill's benchmarks: the plugin VM stage, a load generator for /batch, projects for the scale test.",
        subcommands: [VMStageCommand.self, LoadCommand.self, PopulateCommand.self]
    )
}
