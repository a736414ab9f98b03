import ChildProcesses
import Foundation
@testable import PluginRuntime
import Testing

/// Every `.js` file the build embeds in PluginRuntime parses: esbuild reads each text as embedded, so a
/// syntax error fails here, with esbuild's message and the file's line, before any plugin VM evaluates it.
@Suite struct EmbeddedJavaScriptTests {
    @Test(arguments: EmbeddedJavaScript.files.keys.sorted())
    func parses(path: String) async throws {
        let esbuild = try #require(PluginCompiler.findOnPath("esbuild"), "esbuild is not on PATH (make setup installs it)")
        // Transforming without a format only parses and prints; the texts are expressions and statements, as is.
        let output = try await ChildProcess.run(
            URL(filePath: esbuild), arguments: ["--loader=js", "--sourcefile=\(path)", "--log-level=error", "--color=false"],
            input: Data(try #require(EmbeddedJavaScript.files[path]).utf8))
        #expect(output.status == 0, "\(output.errorText)")
    }
}
