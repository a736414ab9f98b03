import ChildProcesses
import Foundation
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import Testing

/// The OpenAPI document against the server it describes (issue 20): it is valid OpenAPI, and schemathesis,
/// sending a real `quill serve` what the document allows and what it doesn't, finds no server error and no
/// answer the document does not describe.
@Suite struct OpenAPIConformanceTests {
    @Test func documentIsValidOpenAPI() async throws {
        let server = try ServerProcess()
        try await server.start()
        let document = try await HTTP.request(.get, port: server.port, "/api/openapi.json")
        #expect(document.status == 200)
        let file = server.dataDirectory.appending(path: "openapi.json")
        try Data(document.body).write(to: file)
        let validator = try await Self.python(["-m", "openapi_spec_validator", file.path], timeLimit: .seconds(60))
        #expect(validator.status == 0, "\(validator.text)")
        await server.stop()
    }

    @Test func schemathesisFindsNoServerErrorAndNoAnswerTheDocumentDoesNotAllow() async throws {
        // GitHub and npm are served from this machine, so no generated URL reaches past it, and the plugin
        // under test, installed from there, has versions to check for and upgrade to.
        let hosts = FakePluginHosts()
        hosts.publish(version: "1.0.0", files: ManagementAPITests.tagger)
        try await hosts.start()
        defer { hosts.stop() }
        let server = try ServerProcess(environment: hosts.environment.merging(["QUILL_GITLAB_URL": "\(hosts.baseURL)/gitlab"]) { $1 })
        try await server.start()
        // A plugin with a secret, a choice, an attachment field and a public job, configured and enabled, and an
        // event it processed, so the routes that take ids have something to find.
        let api = Management(port: server.port)
        let installed = try await api.send(
            .post, "/api/organizations/@current/plugins/", json: ["url": .string("\(hosts.baseURL)/github/acme/greeter")])
        let plugin = try #require(installed.json?["id"]?.doubleValue.map(Int.init), "\(installed.text)")
        let config = try await api.configure([
            "plugin": JSONValue(plugin), "enabled": true, "config": ["tag": "t", "apiKey": "sekret-value"],
        ])
        _ = try await captureAndWait(port: server.port, event: "before schemathesis")
        // An action webhook and a REST hook on it; no event reaches them, so nothing is sent.
        let webhook = try #require(
            try await api.send(
                .post, "/api/projects/@current/action_webhooks/",
                json: ["name": "Never", "event": "never sent", "url": "https://example.com/hook"]
            ).json?["id"]?.doubleValue.map(Int.init))
        let hook = try #require(
            try await api.send(
                .post, "/api/projects/@current/hooks/",
                json: ["target": "https://example.com/zap", "event": "action_performed", "resource_id": JSONValue(webhook)]
            ).json?["id"]?.doubleValue.map(Int.init))

        let configuration = server.dataDirectory.appending(path: "schemathesis.toml")
        // Mostly the ids that exist, sometimes whatever the document allows.
        try Data(
            """
            [dictionaries]
            scopes = { values = ["@current"] }
            plugins = { values = [\(plugin)] }
            configs = { values = [\(config)] }
            attachment_keys = { values = ["wordlist"] }
            webhooks = { values = [\(webhook)] }
            hooks = { values = [\(hook)] }

            [parameters]
            "path.organization_id" = { dictionary = "scopes", probability = 0.9 }
            "path.project_id" = { dictionary = "scopes", probability = 0.9 }
            "path.plugin_id" = { dictionary = "plugins", probability = 0.9 }
            "path.config_id" = { dictionary = "configs", probability = 0.9 }
            "path.key" = { dictionary = "attachment_keys", probability = 0.9 }
            "path.webhook_id" = { dictionary = "webhooks", probability = 0.9 }
            "path.hook_id" = { dictionary = "hooks", probability = 0.9 }
            """.utf8
        ).write(to: configuration)

        // Deleting the plugin, its config, the webhook or the hook would leave the other routes nothing to find:
        // they go last.
        let deletes = ["DELETE /api/organizations/{organization_id}/plugins/{plugin_id}/",
                       "DELETE /api/projects/{project_id}/plugin_configs/{config_id}/",
                       "DELETE /api/projects/{project_id}/action_webhooks/{webhook_id}/",
                       "DELETE /api/projects/{project_id}/hooks/{hook_id}/"]
        for selection in [deletes.flatMap { ["--exclude-name", $0] }, deletes.flatMap { ["--include-name", $0] }] {
            let started = ContinuousClock.now
            let run = try await Self.python(
                [
                    "-m", "schemathesis.cli", "--config-file", configuration.path, "--no-color", "run",
                    "\(server.baseURL)/api/openapi.json", "--header", "Authorization: Bearer \(ServerProcess.personalAPIKey)",
                    "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                    "--max-examples", "15", "--generation-database", "none", "--workers", "1",
                ] + selection,
                in: server.dataDirectory, timeLimit: .seconds(240))
            print("schemathesis \(selection.first ?? "") ran \(ContinuousClock.now - started)")
            #expect(run.status == 0, "schemathesis found problems:\n\(run.text.suffix(40_000))")
        }
        #expect(!server.printed.contains("Fatal error"), "\(server.printed.suffix(10_000))")
        await server.stop()
    }

    private static func python(_ arguments: [String], in folder: URL? = nil, timeLimit: Duration) async throws -> ChildProcess.Output {
        try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3"] + arguments, currentDirectory: folder,
            mergingErrors: true, timeLimit: timeLimit)
    }
}
