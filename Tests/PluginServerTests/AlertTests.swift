import ChildProcesses
import Foundation
import Hummingbird
import OrderedJSON
import QuillTestSupport
import Synchronization
import Testing

/// Plugin alerts against a real SMTP server (aiosmtpd) and a real HTTP server on 127.0.0.1: an auto-disabled
/// config and a dead letter each send an email and a Slack-compatible webhook, once an hour at most, restarts included.
@Suite struct AlertTests {
    @Test func anAutoDisabledPluginAndADeadLetterAreEmailedAndPostedOnceAnHour() async throws {
        let smtp = try await SMTPSink.start()
        defer { smtp.stop() }
        let posts = WebhookPosts()
        let router = Router()
        router.post("slack") { request, _ in
            let body = try await request.body.collect(upTo: 1_000_000)
            if let json = try? JSONValue.parse(Array(buffer: body)) { posts.received.withLock { $0.append(json) } }
            return Response(status: .ok)
        }
        let webhook = try await LocalHTTPServer.start(router)
        defer { webhook.stop() }

        let server = try ServerProcess(environment: [
            "QUILL_SMTP_URL": "smtp://127.0.0.1:\(smtp.port)", "QUILL_EMAIL_FROM": "alerts@quill.test",
            "QUILL_SITE_URL": "https://quill.example.com/", "QUILL_FETCH_ALLOW": "127.0.0.1",
        ])
        try await server.start()
        let api = Management(port: server.port)

        // Bad settings are refused with a message and change nothing.
        for bad: JSONValue in [
            ["alert_emails": "ada@example.com"], ["alert_emails": ["not an address"]], ["alert_emails": ["a@b.c\r\nBcc: x@y.z"]],
            ["alert_webhook_url": "ftp://example.com/hook"], ["alert_webhook_url": 3], ["alert_threshold": 1],
        ] {
            let refused = try await api.send(.patch, "/api/projects/@current/alert_settings/", json: bad)
            #expect(refused.status == 400, "\(bad.serializedString): \(refused.text)")
            #expect(refused.json?["detail"]?.stringValue?.isEmpty == false)
        }
        let settings = try await api.send(
            .patch, "/api/projects/@current/alert_settings/",
            json: ["alert_emails": ["ada@example.com", "grace@example.com"], "alert_webhook_url": .string("\(webhook.baseURL)/slack")])
        #expect(settings.status == 200, "\(settings.text)")
        let stored = try await api.get("/api/projects/@current/alert_settings/").json
        #expect(stored?["alert_emails"] == ["ada@example.com", "grace@example.com"])
        #expect(stored?["alert_webhook_url"] == .string("\(webhook.baseURL)/slack"))
        #expect(stored?["email_configured"] == true)
        let projectName = try #require(try await api.get("/api/projects/@current/").json?["name"]?.stringValue)

        // setupPlugin throws: Quill disables the config at once.
        let broken = try await api.installSource([
            "plugin.json": #"{"name": "Broken CRM sync"}"#,
            "index.js": "export function setupPlugin() { throw new Error('The CRM refused the API key') }\nexport function processEvent(e) { return e }",
        ])
        let brokenResult = try await api.send(.post, "/api/projects/@current/plugin_configs/", json: ["plugin": JSONValue(broken), "enabled": true])
        let brokenConfig = try #require(brokenResult.json?["id"]?.doubleValue.map(Int.init), "\(brokenResult.text)")

        let disabledMail = try #require(try await smtp.waitForMessages(1).first)
        #expect(disabledMail.contains("X-Envelope-From: alerts@quill.test"))
        #expect(disabledMail.contains("X-Envelope-To: ada@example.com, grace@example.com"))
        #expect(disabledMail.contains("Subject: [Quill] Plugin \"Broken CRM sync\" was disabled in project \"\(projectName)\""))
        #expect(disabledMail.contains("Quill disabled the plugin \"Broken CRM sync\" (plugin config \(brokenConfig))"))
        #expect(disabledMail.contains("The CRM refused the API key"))
        #expect(disabledMail.contains("https://quill.example.com/ui/#/configs/\(brokenConfig)/logs"))
        let disabledPost = try #require(try await Self.wait(for: 1, in: posts).first)
        #expect(disabledPost["text"]?.stringValue?.contains("\"Broken CRM sync\" was disabled") == true)
        #expect(disabledPost["text"]?.stringValue?.contains("The CRM refused the API key") == true)

        // After a restart, disabling it again within the hour sends nothing more.
        await server.stop()
        try await server.start()
        let api2 = Management(port: server.port)
        let reenabled = try await api2.send(.patch, "/api/projects/@current/plugin_configs/\(brokenConfig)/", json: ["enabled": true])
        #expect(reenabled.status == 200 || reenabled.status == 400, "\(reenabled.text)")
        for _ in 0..<200 where try await api2.get("/api/projects/@current/plugin_configs/\(brokenConfig)/").json?["enabled"] != false {
            try await Task.sleep(for: .milliseconds(50))
        }

        // onEvent throws: its delivery becomes a dead letter at once.
        let exporter = try await api2.installSource([
            "plugin.json": #"{"name": "Warehouse export"}"#,
            "index.js": "export async function onEvent(event) { throw new Error('The warehouse answered 403') }",
        ])
        let exporterConfig = try await api2.configure(["plugin": JSONValue(exporter), "enabled": true])
        _ = try await captureAndWait(port: server.port, event: "alert test")
        let mails = try await smtp.waitForMessages(2)
        #expect(mails.count == 2, "one alert for the disabled config, one for the dead letter: \(mails)")
        let deadLetterMail = try #require(mails.last)
        #expect(deadLetterMail.contains("Subject: [Quill] Plugin \"Warehouse export\" could not deliver in project \"\(projectName)\""))
        #expect(deadLetterMail.contains("The warehouse answered 403"))
        #expect(deadLetterMail.contains("https://quill.example.com/ui/#/configs/\(exporterConfig)/logs"))
        let allPosts = try await Self.wait(for: 2, in: posts)
        #expect(allPosts.count == 2)
        #expect(allPosts.last?["text"]?.stringValue?.contains("Warehouse export") == true)
        await server.stop()
    }

    /// A plugin that throws on most events: past the error rate within a window, its project gets one alert.
    @Test func aPluginFailingMostCallsIsEmailedOnce() async throws {
        let smtp = try await SMTPSink.start()
        defer { smtp.stop() }
        let server = try ServerProcess(environment: [
            "QUILL_SMTP_URL": "smtp://127.0.0.1:\(smtp.port)", "QUILL_ALERT_ERROR_RATE": "0.5",
            "QUILL_ALERT_ERROR_RATE_WINDOW": "0.5",
        ])
        try await server.start()
        let api = Management(port: server.port)
        #expect(try await api.send(.patch, "/api/projects/@current/alert_settings/", json: ["alert_emails": ["ops@example.com"]]).status == 200)
        let flaky = try await api.installSource([
            "plugin.json": #"{"name": "Flaky enricher"}"#,
            "index.js": "export function processEvent(event) { throw new Error('The enrichment API timed out') }",
        ])
        let config = try await api.configure(["plugin": JSONValue(flaky), "enabled": true])
        let batch = #"{"api_key": "\#(ServerProcess.projectToken)", "batch": ["#
            + Array(repeating: #"{"event": "e", "distinct_id": "u"}"#, count: 50).joined(separator: ",") + "]}"
        // Batches until a window sees enough failed calls; how the calls fall into windows is the server's affair.
        var mails: [String] = []
        var batches = 0
        for _ in 0..<20 where mails.isEmpty {
            #expect(try await HTTP.post(port: server.port, "/batch/", json: batch).status == 200)
            batches += 1
            mails = try await smtp.waitForMessages(1, within: .seconds(2))
        }
        let mail = try #require(mails.first)
        #expect(mail.contains("Subject: [Quill] Plugin \"Flaky enricher\" keeps failing"))
        #expect(mail.contains("Error: "))
        #expect(mail.contains("The enrichment API timed out"))
        #expect(mail.contains("/ui/#/configs/\(config)/logs"))
        // More failures within the hour send nothing more: after more batches and windows, still one email.
        for _ in 0..<3 { #expect(try await HTTP.post(port: server.port, "/batch/", json: batch).status == 200) }
        _ = try await HTTP.waitForEvents(port: server.port, query: "event=e", count: 50 * (batches + 3))
        #expect(try await smtp.waitForMessages(2, within: .seconds(2)).count == 1)
        await server.stop()
    }

    /// The JSON bodies the webhook received, once there are `count` (polled for up to 30 s).
    private static func wait(for count: Int, in posts: WebhookPosts) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(30)
        while posts.received.withLock({ $0.count }) < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return posts.received.withLock { $0 }
    }
}

/// What the test's webhook server received.
final class WebhookPosts: Sendable {
    let received = Mutex<[JSONValue]>([])
}

/// aiosmtpd on 127.0.0.1 (Clients/smtp_sink.py), keeping each message it receives as a file.
final class SMTPSink: Sendable {
    let port: Int
    private let process: SpawnedProcess
    private let folder: TemporaryFolder

    private init(port: Int, process: SpawnedProcess, folder: TemporaryFolder) {
        self.port = port
        self.process = process
        self.folder = folder
    }

    deinit { stop() }

    static func start() async throws -> SMTPSink {
        let folder = try TemporaryFolder()
        let script = QuillExecutable.repositoryRoot.appending(path: "Tests/PluginServerTests/Clients/smtp_sink.py")
        guard let nullDevice = FileHandle(forReadingAtPath: "/dev/null") else {
            throw SMTPSinkError(description: "/dev/null could not be opened")
        }
        let pipe = try PrivatePipe()
        let process = try SpawnedProcess(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script.path, folder.url.path],
            standardInput: nullDevice, standardOutput: pipe.writing, standardError: pipe.writing)
        try pipe.writing.close()
        try nullDevice.close()
        // The first line is the port; reading it waits for the server to listen.
        let reading = pipe.reading
        let line = await Task.detached {
            var bytes: [UInt8] = []
            while let byte = try? reading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { bytes.append(byte) }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        guard let port = Int(line.trimmingCharacters(in: .whitespaces)) else {
            process.send(SIGKILL)
            throw SMTPSinkError(description: "the SMTP server did not start: '\(line)'")
        }
        return SMTPSink(port: port, process: process, folder: folder)
    }

    /// The messages received so far, in order, once there are `count` (polled for up to `within`).
    func waitForMessages(_ count: Int, within: Duration = .seconds(30)) async throws -> [String] {
        let deadline = ContinuousClock.now + within
        while true {
            let messages = try received()
            if messages.count >= count || ContinuousClock.now > deadline { return messages }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func received() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".eml") }
        return try names.sorted { Int($0.dropLast(4)) ?? 0 < Int($1.dropLast(4)) ?? 0 }
            .map { try String(contentsOf: folder.url.appending(path: $0), encoding: .utf8) }
    }

    /// Ends the server; its reaper collects it.
    func stop() {
        if process.isRunning { process.send(SIGTERM) }
    }
}

struct SMTPSinkError: Error, CustomStringConvertible {
    let description: String
}
