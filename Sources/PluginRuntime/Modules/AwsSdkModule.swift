/// `aws-sdk` (v2), for PostHog's S3 export and Kinesis plugins: `S3` (`putObject`, `upload`, `getObject`,
/// `headObject`, `deleteObject`, `listObjectsV2`, `createBucket`) and `Kinesis` (`putRecord`, `putRecords`,
/// `describeStream`, `getShardIterator`, `getRecords` and a few more), with `AWS.config`, `Credentials`, `Endpoint`
/// and the SDK's `Signers.V4`. Written in JavaScript after the SDK's own code where plugins can see it (options,
/// endpoints, response and error shapes, retries); every request is SigV4-signed with `crypto` and sent with Quill's
/// `fetch`, so the operator's ``FetchPolicy`` applies. ``AwsSdkBindings`` give it the server's `AWS_ENDPOINT_URL*`.
///
/// `aws-sdk/clients/s3` and `aws-sdk/clients/kinesis` are the same classes, as `import S3 from 'aws-sdk/clients/s3'` takes them.
///
/// Not offered: other services, multipart uploads (an upload is one PUT, bounded by `QUILL_FETCH_MAX_REQUEST_BYTES`),
/// stream bodies, presigned URLs, request events (`on`), credentials from the environment, files or instance roles.
enum AwsSdkModule {
    static let module = BuiltinModule(name: "aws-sdk", source: EmbeddedJavaScript.awsSdk)
    static let s3Client = BuiltinModule(name: "aws-sdk/clients/s3", source: EmbeddedJavaScript.awsSdkClientsS3)
    static let kinesisClient = BuiltinModule(name: "aws-sdk/clients/kinesis", source: EmbeddedJavaScript.awsSdkClientsKinesis)
}
