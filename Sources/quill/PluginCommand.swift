import ArgumentParser
import Foundation
import PluginManifest
import PluginRuntime
import Storage

/// `quill plugin …`: tools for plugin developers.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Run and check a plugin from its folder.",
        subcommands: [PluginRunCommand.self, PluginValidateCommand.self, PluginInstallCommand.self, PluginTestCommand.self]
    )
}

struct PluginValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a plugin's plugin.json and compile its code."
    )

    @Argument(help: "The plugin's folder (with plugin.json).")
    var directory: String

    func run() async throws {
        try await reportingFailures {
            let package = try loadPackage(directory)
            _ = try await compile(package)
            let fields = package.manifest.configSchema.filter { $0.key != nil }.count
            print("\(package.manifest.name): plugin.json and \(package.entryPath) are valid (\(fields) config fields).")
        }
    }
}

struct PluginRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plugin's processEvent on events, one JSON object a line.",
        discussion: """
            Loads the plugin, runs setupPlugin, sends each event through processEvent and prints each \
            result as a JSON line (`null` for a dropped event), then runs teardownPlugin. Console \
            output and errors go to stderr. Exits 1 when the plugin fails to load or any event fails.
            """
    )

    @Argument(help: "The plugin's folder (with plugin.json).")
    var directory: String

    @Argument(help: "A file of events, one JSON object a line; '-' or nothing reads standard input.")
    var events: String?

    @Option(name: .customLong("config"), help: "A config value, as key=value; repeat for more.")
    var configValues: [String] = []

    @Option(name: .customLong("attachment"), help: "A file for an attachment field, as key=FILE; repeat for more.")
    var attachmentFiles: [String] = []

    @Option(help: "The time limit of one plugin call, in seconds.")
    var timeLimit: Double = 30

    func run() async throws {
        try await reportingFailures(execute)
    }

    private func execute() async throws {
        let package = try loadPackage(directory)
        let attachments = try readAttachments()
        let config: [String: String]
        do {
            config = try package.manifest.configSchema.validate(
                try keyValuePairs(configValues, option: "--config"), attachmentKeys: Set(attachments.keys))
        } catch let error as ConfigValidationError {
            throw CommandFailure(error.description, exitCode: usageExitCode)
        }
        let code = try await compile(package)

        let runtime = PluginRuntime(
            configuration: PluginRuntimeConfiguration(workerCount: 1, timeLimit: .milliseconds(Int64(timeLimit * 1000))),
            services: PluginHostServices(
                cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: StandardErrorLogSink()))
        let definition = PluginConfigDefinition(
            id: 1, teamID: 1, pluginID: 1, pluginName: package.manifest.name, config: config, attachments: attachments,
            code: code)
        if case .disabled(let reason) = await runtime.load(definition) {
            await runtime.shutdown()
            throw CommandFailure(reason)
        }

        var failures = 0
        var count = 0
        do {
            for try await (number, line) in eventLines() {
                count += 1
                let result: ChainResult
                do {
                    result = try await runtime.processEvent(Array(line.utf8), teamID: 1, recordingPluginLists: false)
                } catch {
                    throw CommandFailure("\(events ?? "stdin"):\(number): \(error)", exitCode: 65)
                }
                if !result.failed.isEmpty { failures += 1 }
                FileHandle.standardOutput.write(Data((result.event ?? Array("null".utf8)) + [UInt8(ascii: "\n")]))
            }
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
        if failures > 0 {
            throw CommandFailure("processEvent failed on \(failures) of \(count) events; see the errors above")
        }
    }

    /// The non-blank lines of the events file (or standard input), numbered from 1.
    private func eventLines() -> AsyncThrowingStream<(Int, String), any Error> {
        let path = events
        return AsyncThrowingStream { continuation in
            let thread = Thread {
                var number = 0
                let next: () -> String?
                if let path, path != "-" {
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                        continuation.finish(throwing: CommandFailure("Could not read the events file \(path)", exitCode: 66))
                        return
                    }
                    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
                    next = { lines.next().map(String.init) }
                } else {
                    next = { readLine(strippingNewline: true) }
                }
                while let line = next() {
                    number += 1
                    if line.allSatisfy(\.isWhitespace) { continue }
                    continuation.yield((number, line))
                }
                continuation.finish()
            }
            thread.start()
        }
    }

    private func readAttachments() throws -> [String: PluginAttachment] {
        var attachments: [String: PluginAttachment] = [:]
        for (key, path) in try keyValuePairs(attachmentFiles, option: "--attachment") {
            let url = URL(fileURLWithPath: path)
            guard let contents = FileManager.default.contents(atPath: url.path) else {
                throw CommandFailure("--attachment \(key): could not read \(path)", exitCode: 66)
            }
            attachments[key] = PluginAttachment(
                contentType: contentType(ofExtension: url.pathExtension), fileName: url.lastPathComponent, contents: contents)
        }
        return attachments
    }
}

/// A command's failure with its message for the user and its exit status.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32

    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// `EX_USAGE`: a wrong option value.
let usageExitCode: Int32 = 64

/// Prints a ``CommandFailure`` as `Error: …` and exits with its status.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CommandFailure {
        FileHandle.standardError.write(Data("Error: \(failure.description)\n".utf8))
        throw ExitCode(failure.exitCode)
    }
}

func loadPackage(_ directory: String) throws -> PluginPackage {
    do {
        return try PluginPackage.load(directory: URL(fileURLWithPath: directory))
    } catch {
        throw CommandFailure(error.description)
    }
}

func compile(_ package: PluginPackage) async throws -> CompiledPlugin {
    do {
        return try await PluginCompiler(providedModules: PluginRuntime.providedModules).compile(package)
    } catch {
        throw CommandFailure(error.description)
    }
}

/// Splits `key=value` arguments; the value may contain `=`.
func keyValuePairs(_ arguments: [String], option: String) throws -> [String: String] {
    var pairs: [String: String] = [:]
    for argument in arguments {
        guard let separator = argument.firstIndex(of: "="), separator != argument.startIndex else {
            throw CommandFailure("\(option) takes key=value, got '\(argument)'", exitCode: usageExitCode)
        }
        pairs[String(argument[..<separator])] = String(argument[argument.index(after: separator)...])
    }
    return pairs
}

private func contentType(ofExtension pathExtension: String) -> String {
    switch pathExtension.lowercased() {
    case "json": "application/json"
    case "txt", "csv": "text/plain"
    case "mmdb": "application/octet-stream"
    default: "application/octet-stream"
    }
}
