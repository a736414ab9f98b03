import ArgumentParser
import Foundation
import PluginServer

/// `--data-dir`, for the commands that change the server's database (which a running server may have open).
struct DataDirectoryOption: ParsableArguments {
    @Option(help: "Folder of the server's SQLite database (QUILL_DATA_DIR). Default ./data.")
    var dataDir: String?

    /// The server's configuration from the environment, with this folder when one is given.
    func configuration() throws -> ServerConfiguration {
        var configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        if let dataDir { configuration.dataDirectory = URL(fileURLWithPath: dataDir) }
        return configuration
    }
}
