import Foundation

/// Reference outputs made once with Node 20 (`zlib.*Sync(...).toString('base64')`) and with lz-string 1.4.4
/// (whose output was cross-checked against the PyPI `lzstring` port).
enum Fixtures {
    /// A two-event capture batch, as posthog-js would post it.
    static let batch = #"[{"event":"$pageview","properties":{"distinct_id":"0190f5e2-7b3c-7d1e-9f0a-3c4b5d6e7f80","$current_url":"https://example.com/pricing?utm_source=newsletter","$lib":"web","$lib_version":"1.130.0","token":"phc_test"},"timestamp":"2024-07-01T12:00:00.000Z"},{"event":"$autocapture","properties":{"distinct_id":"0190f5e2-7b3c-7d1e-9f0a-3c4b5d6e7f80","$event_type":"click","$elements_chain":"button.btn:text=\"Sign up\"","token":"phc_test"},"timestamp":"2024-07-01T12:00:01.500Z"}]"#

    /// `zlib.gzipSync(Buffer.from(batch))`
    static let batchGzip = bytes("H4sIAAAAAAAAA62PwW7CMBBEf6VacUzCOoEGLKF+RHtqqSzHWcAisS17TagQ/14F9dBz1eO8w8y8jxvQhRyDhEXQR7pYmqCAEH2gyJYSyBv0NrF1hpXtQQKKLR7WVJdt15iy7QWV2wPqsjGrbt0/U3vYIBSwMDlGcqxyHEDCiTkkuVzSVY9hoMr4cRmiNdYdXzKPKvkcDe0cTWkgZopzxWA7kDBR9xPUhWKy3oEEUYkGq3mI/ZlmEk5GMSWGewFsR0qsxwASaqxXJbYlijdRS0SJWCHiO9yLX/I6szc6cI70T/6PasVfgUCCGaw5P+hAIzlOypy0nW93mdm7qmMnma6828OrPbqnHPbwJzlRrR9yn9/IkpY22wEAAA==")
    /// `zlib.deflateSync(Buffer.from(batch))`
    static let batchDeflate = bytes("eJytj8FuwjAQRH+lWnFMwjqBBiyhfkR7aqksx1nAIrEte02oEP9eBfXQc9XjvMPMvI8b0IUcg4RF0Ee6WJqggBB9oMiWEsgb9DaxdYaV7UECii0e1lSXbdeYsu0FldsD6rIxq27dP1N72CAUsDA5RnKschxAwok5JLlc0lWPYaDK+HEZojXWHV8yjyr5HA3tHE1pIGaKc8VgO5AwUfcT1IVist6BBFGJBqt5iP2ZZhJORjElhnsBbEdKrMcAEmqsVyW2JYo3UUtEiVgh4jvci1/yOrM3OnCO9E/+j2rFX4FAghmsOT/oQCM5TsqctJ1vd5nZu6pjJ5muvNvDqz26pxz28Cc5Ua0fcp/fc+WWiw==")
    /// `zlib.deflateRawSync(Buffer.from(batch))`
    static let batchDeflateRaw = bytes("rY/BbsIwEER/pVpxTMI6gQYsoX5Ee2qpLMdZwCKxLXtNqBD/XgX10HPV47zDzLyPG9CFHIOERdBHuliaoIAQfaDIlhLIG/Q2sXWGle1BAootHtZUl23XmLLtBZXbA+qyMatu3T9Te9ggFLAwOUZyrHIcQMKJOSS5XNJVj2GgyvhxGaI11h1fMo8q+RwN7RxNaSBminPFYDuQMFH3E9SFYrLegQRRiQareYj9mWYSTkYxJYZ7AWxHSqzHABJqrFcltiWKN1FLRIlYIeI73Itf8jqzNzpwjvRP/o9qxV+BQIIZrDk/6EAjOU7KnLSdb3eZ2buqYyeZrrzbw6s9uqcc9vAnOVGtH3Kf3w==")

    /// `zlib.gzipSync(Buffer.from('hello '))` and `zlib.gzipSync(Buffer.from('world'))`
    static let helloGzip = bytes("H4sIAAAAAAAAA8tIzcnJVwAA9vmB7QYAAAA=")
    static let worldGzip = bytes("H4sIAAAAAAAAAyvPL8pJAQBDEXc6BQAAAA==")
    /// `zlib.gzipSync(Buffer.from('hello world'))`
    static let helloWorldGzip = bytes("H4sIAAAAAAAAA8tIzcnJVyjPL8pJAQCFEUoNCwAAAA==")

    /// Node's gzip, zlib and raw deflate of an empty buffer.
    static let emptyGzip = bytes("H4sIAAAAAAAAAwMAAAAAAAAAAAA=")
    static let emptyDeflate = bytes("eJwDAAAAAAE=")
    static let emptyDeflateRaw = bytes("AwA=")

    /// `zlib.deflateSync(Buffer.from('hello hello hello'), {dictionary: Buffer.from('hello')})`
    static let deflateWithDictionary = bytes("eLsGLAIVywARCkgkADouBn0=")

    private static func bytes(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64)!)
    }
}
