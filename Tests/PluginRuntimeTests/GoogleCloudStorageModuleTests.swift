import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
@testable import PluginRuntime
import QuillTestSupport
import Storage
import Synchronization
import Testing
import _CryptoExtras

/// `@google-cloud/storage` in plugins: PostHog's GCS export plugin and the file calls against a real emulator
/// (gcp-storage-emulator), errors shaped as the library's, the service account's token from a token endpoint that
/// checks the JWT, and the address guard.
// One Python server (moto, the emulator) at a time: each takes seconds of CPU to start, and a full run starts
// every suite at once on two cores.
@Suite(.serialized) struct GoogleCloudStorageModuleTests {
    // MARK: PostHog's Google Cloud Storage export plugin

    /// PostHog's GCS export plugin (posthog-gcs-plugin) as it sets up its bucket and writes a batch as CSV to a dated
    /// path, piping a PassThrough into the file's write stream.
    static let exportPlugin = """
        import { Storage } from '@google-cloud/storage'
        import { PassThrough } from 'stream'
        import { randomBytes } from 'crypto'

        export const setupPlugin = async ({ attachments, global, config }) => {
            if (!attachments.googleCloudKeyJson) {
                throw new Error('JSON config not provided!')
            }
            const credentials = JSON.parse(attachments.googleCloudKeyJson.contents.toString())
            const storage = new Storage({ projectId: credentials['project_id'], credentials, autoRetry: false })
            global.bucket = storage.bucket(config.bucketName)
        }

        export const exportEvents = async (events, { global }) => {
            const rows = events.map((event) => {
                const { event: eventName, properties, $set, $set_once, distinct_id, team_id, site_url, now, sent_at, uuid } = event
                const ip = properties?.['$ip'] || event.ip
                const timestamp = event.timestamp || properties?.timestamp || now || sent_at
                return {
                    uuid, event: eventName, properties: JSON.stringify(properties || {}), elements: JSON.stringify([]),
                    people_set: JSON.stringify($set || {}), people_set_once: JSON.stringify($set_once || {}),
                    distinct_id, team_id, ip, site_url, timestamp,
                }
            })
            const date = new Date().toISOString()
            const [day, time] = date.split('T')
            const dayTime = `${day.split('-').join('')}-${time.split(':').join('')}`
            const suffix = randomBytes(8).toString('hex')
            const fileName = `${day}/${dayTime}-${suffix}.csv`
            const columns = ['uuid', 'event', 'properties', 'elements', 'people_set', 'people_set_once', 'distinct_id', 'team_id', 'ip', 'site_url', 'timestamp']
            let csvString = columns.join(',') + '\\n'
            for (const row of rows) {
                csvString += columns.map((column) => JSON.stringify(row[column] ?? '')).join(',') + '\\n'
            }
            const dataStream = new PassThrough()
            const gcFile = global.bucket.file(fileName)
            dataStream.write(csvString)
            dataStream.end()
            try {
                await new Promise((resolve, reject) => {
                    dataStream
                        .pipe(gcFile.createWriteStream({ resumable: false, contentType: 'text/csv' }))
                        .on('error', (error) => reject(error))
                        .on('finish', () => resolve(true))
                })
            } catch {
                console.error(`Failed to upload ${rows.length} events to GCS. Retrying later.`)
                throw new RetryError()
            }
            console.log(`Uploaded ${rows.length} events to ${fileName}`)
        }
        """

    @Test func postHogsExportPluginWritesABatchAsCSVToADatedPath() async throws {
        let emulator = try await GCSEmulator.start()
        try await emulator.createBucket("posthog-export")
        // The emulator as a bare host:port, which is taken as http.
        let harness = try PluginHarness(
            timeLimit: .seconds(120), fetchPolicy: FetchTests.loopback, storageEmulatorHost: "127.0.0.1:\(emulator.port)")
        let key = #"{"type": "service_account", "project_id": "quill-test", "client_email": "export@quill-test.iam.gserviceaccount.com"}"#
        let outcome = try await harness.load(
            Self.exportPlugin, config: ["bucketName": "posthog-export"],
            attachments: [
                "googleCloudKeyJson": PluginAttachment(contentType: "application/json", fileName: "key.json", contents: Data(key.utf8))
            ])
        guard case .ready = outcome else { throw PluginBodyError(description: "the plugin did not load: \(outcome)") }

        let events: [[String: Any]] = (1...3).map { number in
            var event = sampleEvent("order \(number)", properties: ["number": number, "note": "héllo, \"world\" 🎉", "$ip": "10.0.0.\(number)"])
            event["uuid"] = "0192b1f4-0000-7000-8000-00000000000\(number)"
            return event
        }
        let batch = Array(try JSONSerialization.data(withJSONObject: events))
        #expect(await harness.runtime.deliver(.exportEvents(batch), pluginConfigID: 39, teamID: 2) == .succeeded)

        let names = try await emulator.objectNames(in: "posthog-export")
        try #require(names.count == 1)
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(names[0].hasPrefix("\(day)/\(day.replacingOccurrences(of: "-", with: ""))-"))
        #expect(names[0].hasSuffix(".csv"))
        #expect(harness.messages().contains("Uploaded 3 events to \(names[0])"))
        let csv = String(decoding: try #require(try await emulator.object(names[0], in: "posthog-export")), as: UTF8.self)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "uuid,event,properties,elements,people_set,people_set_once,distinct_id,team_id,ip,site_url,timestamp")
        #expect(lines.count == 4)
        for (line, event) in zip(lines.dropFirst(), events) {
            // Each row is JSON values joined by commas: as a JSON array it reads back whole.
            let row = try #require(try JSONSerialization.jsonObject(with: Data("[\(line)]".utf8)) as? [Any])
            #expect(row[0] as? String == event["uuid"] as? String)
            #expect(row[1] as? String == event["event"] as? String)
            let properties = try JSONSerialization.jsonObject(with: Data(try #require(row[2] as? String).utf8)) as? [String: Any]
            #expect(properties?["note"] as? String == "héllo, \"world\" 🎉")
            #expect(properties?["number"] as? Int == (event["properties"] as? [String: Any])?["number"] as? Int)
            #expect(row[6] as? String == "007")
            #expect(row[7] as? Int == 2)
            #expect(row[8] as? String == (event["properties"] as? [String: Any])?["$ip"] as? String)
            #expect(row[10] as? String == "2026-11-21T12:00:00.000Z")
        }
    }

    // MARK: Files

    @Test func saveInPromiseAndCallbackFormsThenDownloadExistsListAndDelete() async throws {
        let emulator = try await GCSEmulator.start()
        try await emulator.createBucket("files")
        let result = try await run(
            """
            const bucket = new Storage().bucket('files')
            // Not a .json name: the emulator reads a media upload of application/json as the JSON API's own body.
            await bucket.file('dir/promise.txt').save(JSON.stringify({ a: 1 }))
            const saved = await new Promise((resolve) =>
              bucket.file('dir/callback.txt').save(Buffer.from('héllo'), { contentType: 'text/plain' }, (error) => resolve(error)))
            await new Promise((resolve, reject) =>
              bucket.file('other.bin').save(new Uint8Array([0, 255]), (error) => (error ? reject(error) : resolve())))
            const [promised] = await bucket.file('dir/promise.txt').download()
            const called = await new Promise((resolve) =>
              bucket.file('dir/callback.txt').download((error, contents) => resolve(contents.toString())))
            const [listed] = await bucket.getFiles({ prefix: 'dir/' })
            const [metadata] = await bucket.file('dir/callback.txt').getMetadata()
            const existsBefore = (await bucket.file('dir/promise.txt').exists())[0]
            await bucket.file('dir/promise.txt').delete()
            const existsAfter = await new Promise((resolve) => bucket.file('dir/promise.txt').exists((error, exists) => resolve(exists)))
            return {
              saved, promised: promised.toString(), isBuffer: Buffer.isBuffer(promised), called,
              listed: Object.fromEntries(listed.map((file) => [file.name, file.metadata.size])),
              contentType: metadata.contentType, existsBefore, existsAfter,
              bucketExists: (await bucket.exists())[0], otherBucketExists: (await new Storage().bucket('nope').exists())[0],
            }
            """, emulator: emulator)
        #expect(result["saved"] is NSNull)
        #expect(result["promised"] as? String == #"{"a":1}"#)
        #expect(result["isBuffer"] as? Bool == true)
        #expect(result["called"] as? String == "héllo")
        #expect(result["listed"] as? [String: String] == ["dir/callback.txt": "6", "dir/promise.txt": "7"])
        #expect(result["contentType"] as? String == "text/plain")
        #expect(result["existsBefore"] as? Bool == true)
        #expect(result["existsAfter"] as? Bool == false)
        #expect(result["bucketExists"] as? Bool == true)
        #expect(result["otherBucketExists"] as? Bool == false)
        #expect(try await emulator.object("other.bin", in: "files") == [0, 255])
        #expect(try await emulator.object("dir/promise.txt", in: "files") == nil)
    }

    @Test func metadataAndGzipGoInAMultipartUpload() async throws {
        let emulator = try await GCSEmulator.start()
        try await emulator.createBucket("files")
        let result = try await run(
            """
            const file = new Storage().bucket('files').file('events.csv')
            await file.save('a,b\\n1,2\\n', { gzip: true, metadata: { cacheControl: 'no-cache', metadata: { batch: '7' } } })
            const [metadata] = await file.getMetadata()
            const { contentType, contentEncoding, cacheControl } = metadata
            return { contentType, contentEncoding, cacheControl, custom: metadata.metadata }
            """, emulator: emulator)
        #expect(result["contentType"] as? String == "text/csv")
        #expect(result["contentEncoding"] as? String == "gzip")
        #expect(result["cacheControl"] as? String == "no-cache")
        #expect(result["custom"] as? [String: String] == ["batch": "7"])
        let stored = try #require(try await emulator.object("events.csv", in: "files"))
        #expect(Array(stored.prefix(2)) == [0x1f, 0x8b])
    }

    @Test func aMissingBucketRejectsWithAnApiErrorOf404() async throws {
        let emulator = try await GCSEmulator.start()
        let result = try await run(
            """
            const { ApiError } = require('@google-cloud/storage')
            const file = new Storage().bucket('missing').file('a.txt')
            const saved = await file.save('x').catch((error) => error)
            const streamed = await new Promise((resolve) => {
              const events = []
              const stream = file.createWriteStream()
              stream.on('error', (error) => events.push(`error ${error.code}`)).on('close', () => { events.push('close'); resolve(events) })
              stream.on('finish', () => events.push('finish'))
              stream.end('x')
            })
            const downloaded = await file.download().catch((error) => error.code)
            return { name: saved.name, code: saved.code, message: saved.message, isApiError: saved instanceof ApiError, isError: saved instanceof Error,
                     errors: saved.errors, streamed, downloaded }
            """, emulator: emulator)
        #expect(result["name"] as? String == "ApiError")
        #expect(result["code"] as? Int == 404)
        #expect(result["message"] as? String == "Not Found")
        #expect(result["isApiError"] as? Bool == true)
        #expect(result["isError"] as? Bool == true)
        #expect(result["errors"] as? [Any] != nil)
        #expect(result["streamed"] as? [String] == ["error 404", "close"])
        #expect(result["downloaded"] as? Int == 404)
    }

    @Test func googlesErrorBodyGivesTheMessageAndErrors() async throws {
        let router = Router()
        router.post("upload/storage/v1/b/:bucket/o") { _, _ in
            let message = "export@x.iam does not have storage.objects.create access."
            let body = #"{"error": {"code": 403, "message": "\#(message)", "errors": [{"message": "\#(message)", "domain": "global", "reason": "forbidden"}]}}"#
            return Response(
                status: .forbidden, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let server = try await LocalHTTPServer.start(router)
        defer { server.stop() }
        let result = try await run(
            """
            const error = await new Storage({ apiEndpoint: '\(server.baseURL)' }).bucket('b').file('f').save('x').catch((error) => error)
            return { code: error.code, message: error.message, reasons: error.errors.map((entry) => entry.reason) }
            """)
        #expect(result["code"] as? Int == 403)
        #expect(result["message"] as? String == "export@x.iam does not have storage.objects.create access.")
        #expect(result["reasons"] as? [String] == ["forbidden"])
    }

    // MARK: Endpoints

    @Test func theEmulatorHostSendsEveryRequestThereAndGoogleIsTheDefault() async throws {
        let emulated = try await run(
            """
            const storage = new Storage({ projectId: 'p' })
            const chosen = new Storage({ apiEndpoint: 'gcs.example:8443/' })
            return { apiEndpoint: storage.apiEndpoint, customEndpoint: storage.customEndpoint, chosen: chosen.apiEndpoint }
            """, emulatorHost: "http://127.0.0.1:9023/")
        #expect(emulated["apiEndpoint"] as? String == "http://127.0.0.1:9023")
        #expect(emulated["customEndpoint"] as? Bool == true)
        // An apiEndpoint of the plugin's own wins, as in the library; without a scheme it is https.
        #expect(emulated["chosen"] as? String == "https://gcs.example:8443")
        let google = try await run("return { apiEndpoint: new Storage().apiEndpoint, customEndpoint: new Storage().customEndpoint }")
        #expect(google["apiEndpoint"] as? String == "https://storage.googleapis.com")
        #expect(google["customEndpoint"] as? Bool == false)
    }

    @Test func quillPluginRunTakesTheEmulatorFromItsEnvironment() async throws {
        let emulator = try await GCSEmulator.start()
        try await emulator.createBucket("exports")
        let code = """
            import { Storage } from '@google-cloud/storage'
            export async function onEvent(event) {
                await new Storage().bucket('exports').file(`${event.event}.txt`).save(event.event)
                console.log('stored', event.event)
            }
            """
        let environment = ProcessInfo.processInfo.environment.merging([
            "STORAGE_EMULATOR_HOST": emulator.url, "QUILL_FETCH_ALLOW": "127.0.0.1",
        ]) { $1 }
        let run = try await PluginRunCommandTests.run(
            PluginRunCommandTests.plugin(code), events: [#"{"event":"first"}"#], arguments: ["--allow-network"],
            environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("[LOG] stored first"))
        #expect(try await emulator.object("first.txt", in: "exports") == Array("first".utf8))
    }

    @Test func anAddressTheOperatorDidNotAllowIsRefused() async throws {
        let emulator = try await GCSEmulator.start()
        try await emulator.createBucket("files")
        let result = try await run(
            """
            const error = await new Storage().bucket('files').file('a.txt').save('x').catch((error) => error)
            return { name: error.name, code: error.code, message: error.message }
            """, emulator: emulator, policy: FetchPolicy())
        #expect(result["name"] as? String == "FetchError")
        #expect(result["code"] as? String == "ERR_ADDRESS_NOT_ALLOWED")
        let message = try #require(result["message"] as? String)
        #expect(message.contains("address 127.0.0.1:\(emulator.port) (loopback) is not allowed for plugins"))
        #expect(message.contains("QUILL_FETCH_ALLOW"))
        #expect(try await emulator.object("a.txt", in: "files") == nil)
    }

    // MARK: Service account

    @Test func aServiceAccountsSignedJWTBuysOneTokenForEveryUpload() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let google = try await FakeGoogle.start(publicKey: key.publicKey)
        defer { google.stop() }
        let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        func credentials(_ key: _RSA.Signing.PrivateKey) throws -> String {
            let object: [String: Any] = [
                "type": "service_account", "project_id": "quill-test", "private_key_id": "key-1",
                "private_key": key.pkcs8PEMRepresentation, "client_email": "export@quill-test.iam.gserviceaccount.com",
                "token_uri": "\(google.baseURL)/token",
            ]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let result = try await run(
            """
            const options = { apiEndpoint: '\(google.baseURL)', useAuthWithCustomEndpoint: true }
            const bucket = new Storage({ ...options, credentials: \(try credentials(key)) }).bucket('exports')
            await Promise.all([bucket.file('one.csv').save('1'), bucket.file('two.csv').save('2')])
            await new Promise((resolve, reject) =>
              bucket.file('three.csv').createWriteStream().on('finish', resolve).on('error', reject).end('3'))
            const forged = await new Storage({ ...options, credentials: \(try credentials(otherKey)) })
              .bucket('exports').file('four.csv').save('4')
              .catch((error) => ({ message: error.message, code: error.code }))
            return { forged }
            """)
        #expect(google.tokensIssued == 1)
        #expect(google.uploads.map(\.name).sorted() == ["one.csv", "three.csv", "two.csv"])
        #expect(google.uploads.allSatisfy { $0.authorization == "Bearer \(FakeGoogle.accessToken)" })
        let forged = try #require(result["forged"] as? [String: Any])
        #expect(forged["code"] as? Int == 400)
        #expect(
            forged["message"] as? String
                == "The service account's access token was refused by \(google.baseURL)/token: invalid_grant: Invalid JWT Signature.")
        let claims = try #require(google.claims.first)
        #expect(claims.iss == "export@quill-test.iam.gserviceaccount.com")
        #expect(claims.scope == "https://www.googleapis.com/auth/devstorage.read_write")
        #expect(claims.aud == "\(google.baseURL)/token")
        #expect(claims.exp == claims.iat + 3600)
        #expect(abs(Double(claims.iat) - Date().timeIntervalSince1970) < 300)
    }

    @Test func aTokenNearItsExpiryIsNotUsedAgain() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        // Under the five minutes before expiry in which the library takes a new token.
        let google = try await FakeGoogle.start(publicKey: key.publicKey, tokenLifetime: 299)
        defer { google.stop() }
        let credentials: [String: Any] = [
            "private_key_id": "key-1", "private_key": key.pkcs8PEMRepresentation,
            "client_email": "export@quill-test.iam.gserviceaccount.com", "token_uri": "\(google.baseURL)/token",
        ]
        _ = try await run(
            """
            const storage = new Storage({
              apiEndpoint: '\(google.baseURL)', useAuthWithCustomEndpoint: true,
              credentials: \(String(decoding: try JSONSerialization.data(withJSONObject: credentials), as: UTF8.self)),
            })
            await storage.bucket('exports').file('one.csv').save('1')
            await storage.bucket('exports').file('two.csv').save('2')
            return {}
            """)
        #expect(google.tokensIssued == 2)
        #expect(google.uploads.count == 2)
    }

    // MARK: Support

    /// Runs `body` in a plugin's `processEvent`, with `Storage` imported, `STORAGE_EMULATOR_HOST` set to `emulator`'s
    /// (or `emulatorHost`), and returns what it returned.
    private func run(
        _ body: String, emulator: GCSEmulator? = nil, emulatorHost: String? = nil, policy: FetchPolicy = FetchTests.loopback
    ) async throws -> [String: Any] {
        // A loaded machine must not turn a slow answer into a time-out: these tests are about the module, not speed.
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: policy, storageEmulatorHost: emulator?.url ?? emulatorHost)
        return try await harness.runInProcessEvent(body, imports: "import { Storage } from '@google-cloud/storage'")
    }
}


/// Google on 127.0.0.1: a token endpoint that checks the JWT's RS256 signature with the service account's public key
/// and hands out one access token, and a JSON API upload endpoint that keeps what it was sent.
final class FakeGoogle: Sendable {
    static let accessToken = "ya29.quill-test-token"

    struct Claims: Decodable, Sendable {
        var iss: String
        var scope: String
        var aud: String
        var iat: Int
        var exp: Int
    }

    struct Upload: Sendable {
        var name: String
        var authorization: String?
    }

    private struct Record {
        var tokensIssued = 0
        var claims: [Claims] = []
        var uploads: [Upload] = []
    }

    private let server: LocalHTTPServer
    private let record: Recorder

    /// What the endpoints saw, shared with their handlers.
    private final class Recorder: Sendable {
        let state = Mutex(Record())
    }

    var baseURL: String { server.baseURL }
    var tokensIssued: Int { record.state.withLock { $0.tokensIssued } }
    /// The claims of every JWT whose signature held.
    var claims: [Claims] { record.state.withLock { $0.claims } }
    var uploads: [Upload] { record.state.withLock { $0.uploads } }

    private init(server: LocalHTTPServer, record: Recorder) {
        self.server = server
        self.record = record
    }

    /// - Parameter tokenLifetime: The `expires_in` of the tokens it hands out, in seconds.
    static func start(publicKey: _RSA.Signing.PublicKey, tokenLifetime: Int = 3599) async throws -> FakeGoogle {
        let record = Recorder()
        let router = Router()
        router.post("token") { request, _ in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            var form: [String: String] = [:]
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = form["assertion"],
                let claims = verified(assertion, publicKey: publicKey)
            else {
                return json(#"{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}"#, status: .badRequest)
            }
            record.state.withLock {
                $0.tokensIssued += 1
                $0.claims.append(claims)
            }
            return json(#"{"access_token": "\#(accessToken)", "expires_in": \#(tokenLifetime), "token_type": "Bearer"}"#)
        }
        router.post("upload/storage/v1/b/:bucket/o") { request, context in
            let name = request.uri.queryParameters.get("name") ?? ""
            record.state.withLock { $0.uploads.append(Upload(name: name, authorization: request.headers[.authorization])) }
            let bucket = context.parameters.get("bucket") ?? ""
            return json(#"{"kind": "storage#object", "bucket": "\#(bucket)", "name": "\#(name)"}"#)
        }
        return FakeGoogle(server: try await LocalHTTPServer.start(router), record: record)
    }

    func stop() {
        server.stop()
    }

    /// The claims of a JWT signed RS256 by `publicKey`'s private key, with the header the library sends; else nil.
    private static func verified(_ jwt: String, publicKey: _RSA.Signing.PublicKey) -> Claims? {
        let parts = jwt.split(separator: ".").map(String.init)
        guard parts.count == 3, let header = bytes(parts[0]), let claims = bytes(parts[1]), let signature = bytes(parts[2]),
            (try? JSONSerialization.jsonObject(with: header)) as? [String: String] == ["alg": "RS256", "typ": "JWT", "kid": "key-1"],
            publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: Data("\(parts[0]).\(parts[1])".utf8),
                padding: .insecurePKCS1v1_5)
        else { return nil }
        return try? JSONDecoder().decode(Claims.self, from: claims)
    }

    private static func bytes(_ base64url: String) -> Data? {
        var text = base64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: text)
    }

    private static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
