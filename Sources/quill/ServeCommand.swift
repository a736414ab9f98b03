import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import PluginServer

/// `quill serve`: the capture API, the plugin pipeline and the management API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Quill server (capture API, plugins, management API).",
        discussion: "Every option can also be set by its QUILL_* environment variable; options win."
    )

    @Option(help: "Address to listen on (QUILL_HOST). Default 127.0.0.1.")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (QUILL_PORT). Default 8000.")
    var port: Int?

    @Option(help: "Folder of the SQLite database (QUILL_DATA_DIR). Default ./data.")
    var dataDir: String?

    @Option(help: "PostgreSQL to keep everything in instead of SQLite, postgres://user:password@host:port/database (QUILL_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Seconds one plugin call may take (QUILL_PLUGIN_TIME_LIMIT). Default 30.")
    var pluginTimeLimit: Double?

    @Option(help: "Plugin script threads (QUILL_PLUGIN_WORKERS). Default: one per core.")
    var pluginWorkers: Int?

    @Option(help: "MiB of memory one plugin call may bring in; 0 for no limit (QUILL_PLUGIN_MEMORY_LIMIT). Default 128.")
    var pluginMemoryLimit: Int?

    @Option(help: "Largest capture request body in bytes (QUILL_MAX_BODY_SIZE). Default 20 MiB.")
    var maxBodySize: Int?

    @Option(help: "Largest session recording (/s) request body in bytes (QUILL_MAX_RECORDING_BODY_SIZE). Default 20 MiB.")
    var maxRecordingBodySize: Int?

    @Option(help: "Accepted events the durable log may hold before capture answers 503 (QUILL_MAX_BACKLOG). Default 1,000,000.")
    var maxBacklog: Int?

    @OptionGroup(title: "Bounds on what plugins produce")
    var bounds: BoundOptions

    func run() async throws {
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let dataDir { configuration.dataDirectory = URL(fileURLWithPath: dataDir) }
        if let databaseURL {
            guard let url = ServerConfiguration.postgresURL(databaseURL) else {
                throw ValidationError("--database-url must be a postgres:// URL with a host")
            }
            configuration.postgresURL = url
        }
        if let pluginTimeLimit {
            guard let limit = ServerConfiguration.positiveSeconds(String(pluginTimeLimit)) else {
                throw ValidationError("--plugin-time-limit must be more than 0")
            }
            configuration.pluginTimeLimit = limit
        }
        if let pluginWorkers { configuration.pluginWorkers = max(1, pluginWorkers) }
        if let pluginMemoryLimit {
            guard let limit = ServerConfiguration.memoryLimit(String(pluginMemoryLimit)) else {
                throw ValidationError("--plugin-memory-limit must be 0 (no limit) or from 8 to 1048576 MiB")
            }
            configuration.pluginMemoryLimit = limit
        }
        if let maxBodySize { configuration.maxBodySize = maxBodySize }
        if let maxRecordingBodySize {
            guard maxRecordingBodySize > 0 else { throw ValidationError("--max-recording-body-size must be more than 0") }
            configuration.maxRecordingBodySize = maxRecordingBodySize
        }
        if let maxBacklog {
            guard maxBacklog > 0 else { throw ValidationError("--max-backlog must be more than 0") }
            configuration.maxBacklog = maxBacklog
        }
        try bounds.apply(to: &configuration)

        var logger = Logger(label: "quill")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let application = try await QuillServer.buildApplication(configuration: configuration, logger: logger) { message in
            FileHandle.standardOutput.write(Data((message + "\n").utf8))
        }
        do {
            try await application.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            FileHandle.standardError.write(
                Data(
                    """
                    quill: cannot listen on \(configuration.host):\(configuration.port): the port is already in use (another \
                    Quill, or another program, listens there). Choose another with --port or QUILL_PORT.

                    """.utf8))
            throw ExitCode(Self.addressInUseExitCode)
        }
    }

    /// EX_UNAVAILABLE of sysexits(3): the port to listen on is taken.
    static let addressInUseExitCode: Int32 = 69
}
