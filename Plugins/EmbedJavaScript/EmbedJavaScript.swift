import Foundation
import PackagePlugin

/// Embeds a target's `.js` files in it at build time, as `EmbeddedJavaScript`, and its `.json` files as
/// `EmbeddedJSON` (see the `embed-javascript` tool), so the binary carries them and needs no resource bundle
/// beside it. Files the target declares as resources are left to the bundle.
@main
struct EmbedJavaScript: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        var commands: [Command] = []
        for (suffix, enumName) in [("js", "EmbeddedJavaScript"), ("json", "EmbeddedJSON")] {
            let files = target.sourceFiles(withSuffix: suffix).filter { $0.type != .resource }.map(\.url)
            guard !files.isEmpty else { continue }
            let output = context.pluginWorkDirectoryURL.appending(path: "\(enumName).swift")
            commands.append(
                .buildCommand(
                    displayName: "Embedding \(files.count) .\(suffix) files in \(target.name)",
                    executable: try context.tool(named: "embed-javascript").url,
                    arguments: [target.directoryURL.path, output.path] + files.map(\.path),
                    inputFiles: files,
                    outputFiles: [output]))
        }
        return commands
    }
}
