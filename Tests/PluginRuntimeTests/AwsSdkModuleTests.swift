import Foundation
import Hummingbird
@testable import PluginRuntime
import QuillTestSupport
import Synchronization
import Testing

/// `aws-sdk` (v2) in plugins against moto's S3 and Kinesis: PostHog's S3 export plugin, the calls' promise and
/// callback forms, the SDK's errors, the `AWS_ENDPOINT_URL*` overrides, a Kinesis exporter read back shard by shard,
/// the address guard, and the SigV4 signer against AWS's own test suite.
// One Python server (moto, the emulator) at a time: each takes seconds of CPU to start, and a full run starts
// every suite at once on two cores.
@Suite(.serialized) struct AwsSdkModuleTests {
    // MARK: PostHog's S3 export plugin

    /// PostHog's S3 export plugin (posthog-s3-export-plugin), as it makes its client and uploads a batch; the file
    /// `ExactlyOnceExportTests` runs through the server.
    static func s3ExportPlugin() throws -> String {
        try String(contentsOf: QuillExecutable.repositoryRoot.appending(path: "Tests/Fixtures/export-plugins/s3-export/index.js"), encoding: .utf8)
    }

    @Test func postHogsS3ExportPluginUploadsABatchAsGzippedJsonLines() async throws {
        let moto = try await MotoServer.start()
        _ = try await run("await s3.createBucket({ Bucket: 'posthog-export' }).promise(); return {}", url: moto.url)
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: FetchTests.loopback)
        let outcome = try await harness.load(
            try Self.s3ExportPlugin(),
            config: [
                "awsAccessKey": "AKIDEXAMPLE", "awsSecretAccessKey": "secret", "awsRegion": "eu-west-1",
                "s3BucketName": "posthog-export", "s3BucketEndpoint": "\(moto.url)/posthog-export", "prefix": "posthog/",
                "compression": "gzip", "sse": "AES256",
            ])
        guard case .ready = outcome else { throw PluginBodyError(description: "the plugin did not load: \(outcome)") }

        let events: [[String: Any]] = (1...3).map { number in
            var event = sampleEvent("order \(number)", properties: ["number": number, "note": "héllo 🎉"])
            event["uuid"] = "0192b1f4-0000-7000-8000-00000000000\(number)"
            return event
        }
        let batch = Array(try JSONSerialization.data(withJSONObject: events))
        #expect(await harness.runtime.deliver(.exportEvents(batch), pluginConfigID: 39, teamID: 2) == .succeeded)

        let stored = try await run(
            """
            const { Contents } = await s3.listObjectsV2({ Bucket: 'posthog-export', Prefix: 'posthog/' }).promise()
            const object = await s3.getObject({ Bucket: 'posthog-export', Key: Contents[0].Key }).promise()
            const lines = require('zlib').gunzipSync(object.Body).toString('utf8').split('\\n')
            return { keys: Contents.map((item) => item.Key), size: Contents[0].Size, length: object.ContentLength,
                     isBuffer: Buffer.isBuffer(object.Body), sse: object.ServerSideEncryption, etag: object.ETag,
                     events: lines.map((line) => JSON.parse(line)) }
            """, url: moto.url)
        let keys = try #require(stored["keys"] as? [String])
        let key = try #require(keys.first)
        #expect(keys.count == 1)
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(key.hasPrefix("posthog/\(today)/\(today.replacingOccurrences(of: "-", with: ""))-"), "\(key)")
        #expect(key.hasSuffix(".jsonl.gz"))
        #expect(stored["size"] as? Int == stored["length"] as? Int)
        #expect(stored["isBuffer"] as? Bool == true)
        #expect(stored["sse"] as? String == "AES256")
        let exported = try #require(stored["events"] as? [[String: Any]])
        #expect(exported.map { $0["event"] as? String } == ["order 1", "order 2", "order 3"])
        #expect(exported.map { $0["uuid"] as? String } == events.map { $0["uuid"] as? String })
        #expect(exported.map { ($0["properties"] as? [String: Any])?["note"] as? String } == Array(repeating: "héllo 🎉", count: 3))
        #expect((stored["etag"] as? String)?.isEmpty == false)
        #expect(harness.messages().contains("Uploaded 3 events to bucket posthog-export"))
    }

    // MARK: S3 calls

    @Test func s3CallsInPromiseAndCallbackFormsAnswerAsTheSdkDoes() async throws {
        let moto = try await MotoServer.start()
        let result = try await run(
            """
            AWS.config.update({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', region: 'us-east-1' })
            const client = new AWS.S3({ endpoint: new AWS.Endpoint(url), s3ForcePathStyle: true, signatureVersion: 'v4' })
            const called = (method, params) => new Promise((resolve, reject) =>
              client[method](params, (err, data) => (err ? reject(err) : resolve(data))))
            await called('createBucket', { Bucket: 'callbacks' })
            const Bucket = 'callbacks'
            const Key = 'a/b c+é.txt'
            const put = await called('putObject', {
              Bucket, Key, Body: 'héllo', ContentType: 'text/plain', ContentEncoding: 'identity', Metadata: { origin: 'quill' } })
            const bound = new AWS.S3({ endpoint: url, s3ForcePathStyle: true, params: { Bucket } })
            await bound.putObject({ Key: 'a/bytes', Body: new Uint8Array([0, 1, 255]) }).promise()
            const got = await called('getObject', { Bucket, Key })
            const bytes = await client.getObject({ Bucket, Key: 'a/bytes' }).promise()
            const head = await client.headObject({ Bucket, Key }).promise()
            const list = await called('listObjectsV2', { Bucket, Prefix: 'a/', MaxKeys: 1 })
            await called('deleteObject', { Bucket, Key })
            const missing = await client.headObject({ Bucket, Key }).promise().catch((err) => err)
            const gone = await client.getObject({ Bucket, Key }).promise().catch((err) => err)
            return {
              putETag: put.ETag, body: got.Body.toString('utf8'), isBuffer: Buffer.isBuffer(got.Body), bytes: [...bytes.Body],
              contentType: got.ContentType, contentEncoding: got.ContentEncoding, metadata: got.Metadata, etag: got.ETag,
              lastModified: got.LastModified instanceof Date, headLength: head.ContentLength, headMetadata: head.Metadata,
              listKeys: list.Contents.map((item) => item.Key), truncated: list.IsTruncated, keyCount: list.KeyCount,
              next: typeof list.NextContinuationToken,
              missing: [missing.code, missing.statusCode, missing.name, missing.retryable].map(String),
              gone: [gone.code, gone.statusCode, gone.name, gone.message, gone.retryable, gone instanceof Error],
            }
            """, url: moto.url)
        let etag = try #require(result["putETag"] as? String)
        #expect(etag.hasPrefix("\"") && etag.count == 34)
        #expect(result["etag"] as? String == etag)
        #expect(result["body"] as? String == "héllo")
        #expect(result["isBuffer"] as? Bool == true)
        #expect(result["bytes"] as? [Int] == [0, 1, 255])
        #expect(result["contentType"] as? String == "text/plain")
        #expect(result["contentEncoding"] as? String == "identity")
        #expect(result["metadata"] as? [String: String] == ["origin": "quill"])
        #expect(result["lastModified"] as? Bool == true)
        #expect(result["headLength"] as? Int == 6)
        #expect(result["headMetadata"] as? [String: String] == ["origin": "quill"])
        #expect(result["listKeys"] as? [String] == ["a/b c+é.txt"])
        #expect(result["truncated"] as? Bool == true)
        #expect(result["keyCount"] as? Int == 1)
        #expect(result["next"] as? String == "string")
        #expect(result["missing"] as? [String] == ["NotFound", "404", "NotFound", "false"])
        let gone = try #require(result["gone"] as? [Any])
        #expect(gone[0] as? String == "NoSuchKey")
        #expect(gone[1] as? Int == 404)
        #expect(gone[2] as? String == "NoSuchKey")
        #expect((gone[3] as? String)?.isEmpty == false)
        #expect(gone[4] as? Bool == false)
        #expect(gone[5] as? Bool == true)
    }

    @Test func aBucketThatDoesNotExistIsNoSuchBucketInBothForms() async throws {
        let moto = try await MotoServer.start()
        let result = try await run(
            """
            const params = { Bucket: 'no-such-bucket', Key: 'x.json', Body: '{}' }
            const promised = await s3.upload(params).promise().catch((err) => err)
            const called = await new Promise((resolve) => s3.putObject(params, (err, data) => resolve({ err, data })))
            const missingKey = await s3.putObject({ Bucket: 'no-such-bucket' }).promise().catch((err) => err)
            return {
              promised: [promised.code, promised.statusCode, promised.message, promised.retryable, promised.name].map(String),
              called: [called.err.code, called.err.statusCode, called.data],
              missingKey: [missingKey.code, missingKey.message],
            }
            """, url: moto.url)
        #expect(
            result["promised"] as? [String] == ["NoSuchBucket", "404", "The specified bucket does not exist", "false", "NoSuchBucket"])
        let called = try #require(result["called"] as? [Any])
        #expect(called[0] as? String == "NoSuchBucket")
        #expect(called[1] as? Int == 404)
        #expect(called[2] is NSNull)
        #expect(result["missingKey"] as? [String] == ["MissingRequiredParameter", "Missing required key 'Key' in params"])
    }

    @Test func theClientModulesAreTheSdksClasses() async throws {
        let result = try await run(
            """
            const S3 = require('aws-sdk/clients/s3')
            const Kinesis = require('aws-sdk/clients/kinesis')
            return { same: S3 === AWS.S3 && Kinesis === AWS.Kinesis, client: new S3({ region: 'eu-west-1' }).endpoint.href }
            """)
        #expect(result["same"] as? Bool == true)
        #expect(result["client"] as? String == "https://s3.eu-west-1.amazonaws.com/")
    }

    // MARK: Endpoint overrides

    @Test func theServersAwsEndpointUrlVariablesPointClientsElsewhere() async throws {
        let moto = try await MotoServer.start()
        let code = """
            import AWS from 'aws-sdk'
            export async function onEvent() {
                const credentials = new AWS.Credentials('AKIDEXAMPLE', 'secret')
                const s3 = new AWS.S3({ credentials, region: 'us-east-1' })
                await s3.createBucket({ Bucket: 'from-env' }).promise()
                const put = await s3.upload({ Bucket: 'from-env', Key: 'k', Body: 'v' }).promise()
                const got = await s3.getObject({ Bucket: 'from-env', Key: 'k' }).promise()
                console.log('s3', put.Location, got.Body.toString())
                const kinesis = new AWS.Kinesis({ credentials, region: 'us-east-1', maxRetries: 0 })
                const err = await kinesis.listStreams({}).promise().catch((e) => e)
                console.log('kinesis', err.code, err.hostname)
            }
            """
        var environment = ProcessInfo.processInfo.environment
        environment["QUILL_FETCH_ALLOW"] = "127.0.0.1"
        environment["AWS_ENDPOINT_URL"] = moto.url
        // The service's own variable wins over the global one: nothing listens on port 9.
        environment["AWS_ENDPOINT_URL_KINESIS"] = "http://127.0.0.1:9"
        let run = try await PluginRunCommandTests.run(
            PluginRunCommandTests.plugin(code), events: [#"{"event":"x"}"#], arguments: ["--allow-network"],
            environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("[LOG] s3 \(moto.url)/from-env/k v"), "\(run.standardError)")
        #expect(run.standardError.contains("[LOG] kinesis NetworkingError 127.0.0.1"), "\(run.standardError)")
    }

    // MARK: Kinesis

    /// An exporter as PostHog's Kinesis plugins write records: one per event, JSON, by distinct id.
    static let kinesisExportPlugin = """
        import { Kinesis } from 'aws-sdk'
        import { RetryError } from '@posthog/plugin-scaffold'

        export const setupPlugin = ({ global, config }) => {
            global.kinesis = new Kinesis({
                accessKeyId: config.kinesisAccessKeyId, secretAccessKey: config.kinesisSecretAccessKey,
                region: config.kinesisRegion, endpoint: config.kinesisEndpoint,
            })
        }

        export const exportEvents = async (events, { global, config }) => {
            const result = await global.kinesis.putRecords({
                StreamName: config.kinesisStreamName,
                Records: events.map((event) => ({ Data: JSON.stringify(event), PartitionKey: event.distinct_id })),
            }).promise()
            if (result.FailedRecordCount > 0) throw new RetryError(`${result.FailedRecordCount} records failed`)
            console.log(`Put ${result.Records.length} records on ${[...new Set(result.Records.map((r) => r.ShardId))]}`)
        }
        """

    @Test func kinesisRecordsPutByAnExporterAreReadBackFromTheShard() async throws {
        let moto = try await MotoServer.start()
        _ = try await run(
            "await kinesis.createStream({ StreamName: 'events', ShardCount: 1 }).promise(); return {}", url: moto.url,
            region: "eu-west-1")
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: FetchTests.loopback)
        let outcome = try await harness.load(
            Self.kinesisExportPlugin,
            config: [
                "kinesisAccessKeyId": "AKIDEXAMPLE", "kinesisSecretAccessKey": "secret", "kinesisRegion": "eu-west-1",
                "kinesisEndpoint": moto.url, "kinesisStreamName": "events",
            ])
        guard case .ready = outcome else { throw PluginBodyError(description: "the plugin did not load: \(outcome)") }
        let events: [[String: Any]] = (1...3).map { sampleEvent("order \($0)", properties: ["number": $0, "note": "héllo 🎉"]) }
        let batch = Array(try JSONSerialization.data(withJSONObject: events))
        #expect(await harness.runtime.deliver(.exportEvents(batch), pluginConfigID: 39, teamID: 2) == .succeeded)
        #expect(harness.messages().contains("Put 3 records on shardId-000000000000"), "\(harness.messages())")

        // As PostHog's Kinesis import plugin reads: the stream's shards, an iterator from the start, a page of records.
        let read = try await run(
            """
            const single = await new Promise((resolve, reject) => kinesis.putRecord(
              { StreamName: 'events', Data: Buffer.from('{"event":"single"}'), PartitionKey: 'p' },
              (err, data) => (err ? reject(err) : resolve(data))))
            const { StreamDescription } = await kinesis.describeStream({ StreamName: 'events' }).promise()
            const [shard] = StreamDescription.Shards
            const { ShardIterator } = await kinesis.getShardIterator({
              StreamName: 'events', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }).promise()
            const page = await kinesis.getRecords({ ShardIterator, Limit: 100 }).promise()
            const missing = await kinesis.describeStream({ StreamName: 'nope' }).promise().catch((err) => err)
            return {
              status: StreamDescription.StreamStatus, created: StreamDescription.StreamCreationTimestamp instanceof Date,
              singleShard: single.ShardId, sequenceNumbers: typeof single.SequenceNumber,
              buffers: page.Records.every((record) => Buffer.isBuffer(record.Data)),
              arrived: page.Records.every((record) => record.ApproximateArrivalTimestamp instanceof Date),
              data: page.Records.map((record) => JSON.parse(record.Data.toString('utf8'))),
              keys: page.Records.map((record) => record.PartitionKey), next: typeof page.NextShardIterator,
              missing: [missing.code, missing.statusCode, missing.retryable, typeof missing.message].map(String),
            }
            """, url: moto.url, region: "eu-west-1")
        #expect(read["status"] as? String == "ACTIVE")
        #expect(read["created"] as? Bool == true)
        #expect(read["singleShard"] as? String == "shardId-000000000000")
        #expect(read["sequenceNumbers"] as? String == "string")
        #expect(read["buffers"] as? Bool == true)
        #expect(read["arrived"] as? Bool == true)
        let data = try #require(read["data"] as? [[String: Any]])
        #expect(data.map { $0["event"] as? String } == ["order 1", "order 2", "order 3", "single"])
        #expect(data.prefix(3).map { ($0["properties"] as? [String: Any])?["note"] as? String } == Array(repeating: "héllo 🎉", count: 3))
        #expect(data.prefix(3).map { $0["uuid"] as? String } == events.map { $0["uuid"] as? String })
        #expect(read["keys"] as? [String] == ["007", "007", "007", "p"])
        #expect(read["next"] as? String == "string")
        #expect(read["missing"] as? [String] == ["ResourceNotFoundException", "400", "false", "string"])
    }

    @Test func throttlingIsRetriedAsTheSdkRetriesIt() async throws {
        // Kinesis that refuses as many calls as asked with its throttling error, then takes the records.
        let refusalsLeft = Mutex(2)
        let calls = Mutex(0)
        let router = Router()
        router.post("/") { _, _ in
            calls.withLock { $0 += 1 }
            let refused = refusalsLeft.withLock { left in
                defer { left -= 1 }
                return left > 0
            }
            let body = refused
                ? #"{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard"}"#
                : #"{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]}"#
            return Response(
                status: refused ? .badRequest : .ok, headers: [.contentType: "application/x-amz-json-1.1"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let server = try await LocalHTTPServer.start(router)
        defer { server.stop() }
        let body = """
            const put = (maxRetries) => new AWS.Kinesis({ ...options, maxRetries })
              .putRecords({ StreamName: 's', Records: [{ Data: 'x', PartitionKey: 'p' }] }).promise()
              .then((data) => data.FailedRecordCount, (err) => [err.code, err.statusCode, err.retryable].map(String))
            return { put: await put(undefined) }
            """
        let retried = try await run(body, url: server.baseURL)
        #expect(retried["put"] as? Int == 0)
        #expect(calls.withLock { $0 } == 3)

        refusalsLeft.withLock { $0 = 5 }
        let givenUp = try await run(body.replacingOccurrences(of: "put(undefined)", with: "put(1)"), url: server.baseURL)
        #expect(givenUp["put"] as? [String] == ["ProvisionedThroughputExceededException", "400", "true"])
        #expect(calls.withLock { $0 } == 5)
    }

    // MARK: Safety and signing

    @Test func anAddressTheOperatorDidNotAllowIsRefused() async throws {
        let result = try await run(
            """
            const guarded = new AWS.S3({ endpoint: url, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', maxRetries: 0 })
            const err = await guarded.putObject({ Bucket: 'b', Key: 'k', Body: 'v' }).promise().catch((e) => e)
            return { code: err.code, message: err.message, retryable: err.retryable }
            """, policy: FetchPolicy())
        #expect(result["code"] as? String == "NetworkingError")
        #expect((result["message"] as? String)?.contains("(loopback) is not allowed for plugins") == true, "\(result)")
        #expect(result["retryable"] as? Bool == true)
    }

    /// AWS's Signature Version 4 test suite: "get-vanilla" and "get-vanilla-query-order-key-case", whose
    /// Authorization headers AWS publishes.
    @Test func theSignerMatchesAwsPublishedTestVectors() async throws {
        let result = try await run(
            """
            const credentials = new AWS.Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')
            const sign = (path) => {
              const request = new AWS.HttpRequest('https://example.amazonaws.com', 'us-east-1')
              request.method = 'GET'
              request.path = path
              request.headers.Host = 'example.amazonaws.com'
              new AWS.Signers.V4(request, 'service').addAuthorization(credentials, new Date(Date.UTC(2015, 7, 30, 12, 36, 0)))
              return [request.headers.Authorization, request.headers['X-Amz-Date']]
            }
            return { vanilla: sign('/'), queryOrder: sign('/?Param2=value2&Param1=value1') }
            """)
        let credential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date"
        #expect(
            result["vanilla"] as? [String] == [
                "\(credential), Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "20150830T123600Z",
            ])
        #expect(
            result["queryOrder"] as? [String] == [
                "\(credential), Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", "20150830T123600Z",
            ])
    }

    /// What S3 signs beyond AWS's suite (its path not escaped twice, the payload's hash, a session token) for a key
    /// with a space, a plus and an accent, compared with the Authorization botocore 1.x's S3SigV4Auth computes for it.
    @Test func theSignerSignsAnS3PutAsBotocoreDoes() async throws {
        let result = try await run(
            """
            const request = new AWS.HttpRequest('http://127.0.0.1:5599', 'eu-west-1')
            request.method = 'PUT'
            request.path = '/bucket-one/a/b%20c%2B%C3%A9.txt?versionId=x%20y&list-type=2'
            request.body = Buffer.from('héllo')
            request.headers = {
              Host: '127.0.0.1:5599', 'x-amz-meta-x': 'y  z',
              'X-Amz-Content-Sha256': require('crypto').createHash('sha256').update(request.body).digest('hex'),
            }
            new AWS.Signers.V4(request, 's3').addAuthorization(
              new AWS.Credentials('AKID', 'SECRET', 'TOKEN'), new Date(Date.UTC(2026, 11, 2, 2, 0, 0)))
            return { authorization: request.headers.Authorization }
            """)
        #expect(
            result["authorization"] as? String
                == "AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-west-1/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-x;x-amz-security-token, "
                + "Signature=98145c3dd7f3b48e93444ebc83686a393d1d907be9e440a2b4ab997d243d108c")
    }

    // MARK: Support

    /// Runs `body` in a plugin's `processEvent` with `AWS` imported, `url` the server's (by default one where nothing
    /// listens, for code that sends nothing), and `s3` (path style) and `kinesis` clients of it in `region` (moto keeps
    /// each region's streams apart), and returns what it returned.
    private func run(
        _ body: String, url: String = "http://127.0.0.1:9", region: String = "us-east-1", policy: FetchPolicy = FetchTests.loopback
    ) async throws -> [String: Any] {
        // A loaded machine must not turn a slow answer into a time-out: these tests are about the SDK, not speed.
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: policy)
        return try await harness.runInProcessEvent(
            body, imports: "import AWS from 'aws-sdk'",
            setup: """
                const url = event.properties.url
                const options = { endpoint: url, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', region: '\(region)' }
                const s3 = new AWS.S3({ ...options, s3ForcePathStyle: true })
                const kinesis = new AWS.Kinesis(options)
                """, properties: ["url": url])
    }
}

