import Foundation
import PackagePlugin

/// Embeds a target's `.js` files in it at build time, as `EmbeddedJavaScript` (see the `embed-javascript`
/// tool), so the binary carries its JavaScript and needs no resource bundle beside it.
@main
struct EmbedJavaScript: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let scripts = target.sourceFiles(withSuffix: "js").map(\.url)
        guard !scripts.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedJavaScript.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(scripts.count) JavaScript files in \(target.name)",
                executable: try context.tool(named: "embed-javascript").url,
                arguments: [target.directoryURL.path, output.path] + scripts.map(\.path),
                inputFiles: scripts,
                outputFiles: [output])
        ]
    }
}
