import ArgumentParser
import Foundation
import PluginManifest
import PluginPackaging
import PluginRuntime
import PluginServer
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

/// Compiles the plugin folder, with package.json's dependencies installed from the npm registry
/// (`QUILL_NPM_REGISTRY_URL`, `QUILL_NPM_TOKEN`) into the compile's own copy of the folder.
func compile(_ package: PluginPackage) async throws -> CompiledPlugin {
    let compiler = PluginCompiler(providedModules: PluginRuntime.providedModules)
    let dependencies = NpmDependencyInstaller(settings: PluginRepositorySettings(environment: ProcessInfo.processInfo.environment))
    do {
        guard let files = try await dependencies.compiledFiles(ofFolder: package.directory) else {
            return try await compiler.compile(package)
        }
        return try await compiler.compile(files: files.compactMapValues { String(data: $0, encoding: .utf8) }, entry: package.entryPath)
    } catch let error as PluginCompileError {
        throw CommandFailure(error.description)
    } catch {
        throw CommandFailure("\(error)")
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
