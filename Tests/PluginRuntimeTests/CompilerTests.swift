import Foundation
import PluginManifest
import PluginRuntime
import QuillTestSupport
import Storage
import Testing

@Suite struct CompilerTests {
    private let compiler = PluginCompiler(providedModules: ["@posthog/plugin-scaffold", "crypto"])

    private func compileError(files: [String: String], entry: String) async -> PluginCompileError? {
        do {
            _ = try await compiler.compile(files: files, entry: entry)
            return nil
        } catch {
            return error
        }
    }

    @Test func plainJavaScriptKeepsBareFunctionsAtTopLevel() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(#"{"name": "hello"}"#, to: "plugin.json")
        try folder.write(
            """
            async function processEvent(event, { config }) {
                event.properties.hello = greet(config.name)
                return event
            }
            function greet(name) { return `Hello ${name}` }
            function unused() {}
            """, to: "index.js")
        let compiled = try await compiler.compile(PluginPackage.load(directory: folder.url))
        let lines = compiled.code.split(separator: "\n")
        #expect(lines.contains("async function processEvent(event, { config }) {"))
        #expect(lines.contains("function unused() {"))
        #expect(!compiled.code.contains("module.exports"))
    }

    @Test func typeScriptIsBundledWithProvidedModulesLeftAsRequire() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(#"{"name": "ts", "main": "src/index.ts"}"#, to: "plugin.json")
        try folder.write(
            """
            import { RetryError } from '@posthog/plugin-scaffold'
            import type { PluginEvent } from '@posthog/plugin-scaffold/dist/types'
            import { createHash } from 'crypto'
            import { shout, Greeting } from './lib'

            export function processEvent(event: any): PluginEvent {
                const greeting: Greeting = { text: shout('hi ✓') }
                if (!event) { throw new RetryError('no event') }
                event.properties.greeting = greeting.text + createHash('sha256').digest('hex')
                return event
            }
            """, to: "src/index.ts")
        try folder.write(
            """
            export interface Greeting { text: string }
            export const shout = (text: string): string => text.toUpperCase() + '!'
            """, to: "src/lib.ts")
        let compiled = try await compiler.compile(PluginPackage.load(directory: folder.url))
        #expect(compiled.code.contains(#"require("@posthog/plugin-scaffold")"#))
        #expect(compiled.code.contains(#"require("crypto")"#))
        #expect(compiled.code.contains("module.exports"))
        #expect(compiled.code.contains("function processEvent(event) {"))
        #expect(compiled.code.contains(#"var shout = (text) => text.toUpperCase() + "!";"#))
        #expect(compiled.code.contains("hi ✓"))
        #expect(!compiled.code.contains(": any"))
        #expect(!compiled.code.contains("interface"))
        #expect(!compiled.code.contains("import "))
    }

    @Test func subpathsOfProvidedModulesAndShippedNodeModulesResolve() async throws {
        let compiled = try await compiler.compile(
            files: [
                "index.js": """
                const { RetryError } = require('@posthog/plugin-scaffold/errors')
                const pad = require('leftpad')
                exports.processEvent = (event) => pad(event)
                """,
                "node_modules/leftpad/package.json": #"{"name": "leftpad", "main": "lib.js"}"#,
                "node_modules/leftpad/lib.js": "module.exports = (s) => '  ' + s",
            ], entry: "index.js")
        #expect(compiled.code.contains(#"require("@posthog/plugin-scaffold/errors")"#))
        #expect(compiled.code.contains("// node_modules/leftpad/lib.js"))
        #expect(compiled.code.contains(#".exports = (s) => "  " + s;"#))
    }

    @Test(arguments: [
        ("import kea from 'kea'\nexport const a = kea", "kea", 1, 16),
        ("// read a file\nconst fs = require('fs')\n", "fs", 2, 19),
    ])
    func modulesTheRuntimeDoesNotProvideAreNamed(source: String, module: String, line: Int, column: Int) async throws {
        let error = try #require(await compileError(files: ["index.js": source], entry: "index.js"))
        #expect(error.moduleName == module)
        #expect(error.message == "Cannot import '\(module)'! This package is not provided by Quill.")
        #expect(error.file == "index.js" && error.line == line && error.column == column)
        #expect(error.description == "index.js:\(line):\(column): Cannot import '\(module)'! This package is not provided by Quill.")
    }

    @Test(arguments: [
        ("@google-cloud/bigquery", "BigQuery exports are planned over Google's REST API (tabledata.insertAll)"),
        ("@google-cloud/bigquery/build/src/table", "BigQuery exports are planned over Google's REST API (tabledata.insertAll)"),
        ("@google-cloud/pubsub", "Pub/Sub exports are planned over Google's REST API (topic.publishMessage → topics.publish)"),
        (
            "snowflake-sdk",
            "Snowflake exports are planned over Snowflake's SQL REST API (createConnection, connect, execute), with a key-pair JWT"
        ),
    ])
    func packagesQuillPlansToProvideAreRefusedNamingThePlan(module: String, plan: String) async throws {
        let error = try #require(
            await compileError(files: ["index.js": "const sdk = require('\(module)')\nexport const a = sdk\n"], entry: "index.js"))
        #expect(error.moduleName == module)
        #expect(error.message == "Cannot import '\(module)'! Quill does not provide it yet: \(plan) — see the README's module table.")
        #expect(error.file == "index.js" && error.line == 1 && error.column == 20)
    }

    @Test func syntaxErrorsCarryFileLineAndColumn() async throws {
        let files = [
            "index.ts": "const a = 1\nimport { b } from './b'\nexport const c = b\n",
            "b.ts": "export const b = 1\nlet x y = 2\n",
        ]
        let error = try #require(await compileError(files: files, entry: "index.ts"))
        #expect(error.moduleName == nil)
        #expect(error.file == "b.ts" && error.line == 2 && error.column == 6)
        #expect(error.description == #"b.ts:2:6: Expected ";" but found "y""#)
    }

    @Test func aMissingRelativeFileIsNotAModule() async throws {
        let error = try #require(await compileError(files: ["index.js": "import x from './nope'\n"], entry: "index.js"))
        #expect(error.moduleName == nil)
        #expect(error.description == #"index.js:1:14: Could not resolve "./nope""#)
    }

    @Test func importsMayNotLeaveThePluginFolder() async throws {
        let outside = try TemporaryFolder()
        defer { outside.remove() }
        try outside.write(#"{"key": "secret"}"#, to: "secret.json")
        try outside.write(#"{"name": "leaky"}"#, to: "plugin/plugin.json")
        try outside.write("import secret from '../secret.json'\nexport const leak = secret\n", to: "plugin/index.js")
        let error = try await #require(throws: PluginCompileError.self) {
            try await compiler.compile(PluginPackage.load(directory: outside.url.appending(path: "plugin")))
        }
        #expect(
            error.description
                == "index.js: '../secret.json' is outside the plugin folder; a plugin can only import its own files and the modules Quill provides"
        )
    }

    @Test func sourceFilesMustStayInsideTheirFolder() async {
        for name in ["../escape.js", "/tmp/escape.js", "a/../../escape.js"] {
            let error = await compileError(files: ["index.js": "", name: "x"], entry: "index.js")
            #expect(error?.description == "'\(name)' is not a file name inside the plugin folder")
        }
        let error = await compileError(files: ["index.js": ""], entry: "index.ts")
        #expect(error?.description == "The entry file 'index.ts' is not among the plugin's files")
    }

    @Test func compilesSourceTextAndRemovesItsFolder() async throws {
        let marker = UUID().uuidString
        let compiled = try await compiler.compile(
            files: [
                "plugin.json": #"{"name": "editor"}"#,
                "index.ts": "export function processEvent(event: { properties: Record<string, string> }) { return '\(marker)' }",
            ], entry: "index.ts")
        #expect(compiled.code.contains("function processEvent(event) {"))
        #expect(compiled.code.contains(marker))
        // Other tests compile at the same time, so look for this test's files rather than for an empty directory.
        let temporary = FileManager.default.temporaryDirectory
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter { name in
            let source = temporary.appending(path: name).appending(path: "index.ts")
            return name.hasPrefix("quill-compile-") && (try? String(contentsOf: source, encoding: .utf8))?.contains(marker) == true
        }
        #expect(leftovers.isEmpty)
    }

    @Test func saysHowToInstallAMissingEsbuild() async {
        let compiler = PluginCompiler(esbuildPath: "/nonexistent/esbuild", providedModules: [])
        let error = await #expect(throws: PluginCompileError.self) {
            try await compiler.compile(files: ["index.js": ""], entry: "index.js")
        }
        #expect(
            error?.description
                == "esbuild was not found at /nonexistent/esbuild: install the Debian package 'esbuild' (make setup does)")
    }
}
