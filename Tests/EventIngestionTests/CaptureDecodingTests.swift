import Compression
import EventIngestion
import OrderedJSON
import Testing

@Suite struct CaptureDecodingTests {
    private func request(body: [UInt8], query: [String: String] = [:], encoding: String? = nil) -> CaptureRequest {
        CaptureRequest(isGET: false, query: query, contentType: "application/json", contentEncoding: encoding, body: body)
    }

    @Test func aBodyOverTheLimitAfterDecompressionIsA413() throws {
        let bomb = Zlib.gzip(Array(repeating: UInt8(ascii: " "), count: 2_000_000) + Array("{}".utf8))
        #expect(bomb.count < 100_000)
        #expect(throws: CaptureRejection.tooLarge(limit: 1_000_000)) {
            try CapturePayloadDecoder.decode(request(body: bomb, encoding: "gzip"), maximumSize: 1_000_000)
        }
        // Gzip sent without saying so is found and limited the same way.
        #expect(throws: CaptureRejection.tooLarge(limit: 1_000_000)) {
            try CapturePayloadDecoder.decode(request(body: bomb), maximumSize: 1_000_000)
        }
    }

    @Test func lz64OverTheLimitInUTF8IsA413() throws {
        // 400,000 code units of a three-byte character: under a 1,000,000 limit in UTF-16, over it in UTF-8.
        let text = #"{"event":""# + String(repeating: "€", count: 400_000) + #""}"#
        let compressed = LZString.compressToBase64(text)
        #expect(throws: CaptureRejection.tooLarge(limit: 1_000_000)) {
            try CapturePayloadDecoder.decode(
                request(body: Array(compressed.utf8), query: ["compression": "lz64"]), maximumSize: 1_000_000)
        }
    }

    @Test(arguments: ["99999999999999999999999", "٣٣٣", "-5", "1e5"])
    func aSentAtQueryThatIsNoTimeIsIgnored(underscore: String) throws {
        let payload = try CapturePayloadDecoder.decode(request(body: Array(#"{"event":"e"}"#.utf8)), maximumSize: 1_000)
        let batch = try CaptureBatch(payload: payload, query: ["_": underscore])
        #expect(batch.sentAt == nil)
    }

    @Test func posthogJSsSentAtQueryIsSecondsOrMilliseconds() throws {
        let payload = try CapturePayloadDecoder.decode(request(body: Array(#"{"event":"e"}"#.utf8)), maximumSize: 1_000)
        #expect(try CaptureBatch(payload: payload, query: ["_": "1764590400"]).sentAt?.iso8601 == "2025-12-01T12:00:00.000Z")
        #expect(try CaptureBatch(payload: payload, query: ["_": "1764590400123"]).sentAt?.iso8601 == "2025-12-01T12:00:00.123Z")
    }

    @Test func nonFiniteNumbersBecomeNull() throws {
        let body = #"{"event":"e","properties":{"a":NaN,"b":Infinity,"c":-Infinity,"d":1e999,"e":-1e400,"f":1.5e300}}"#
        let payload = try CapturePayloadDecoder.decode(request(body: Array(body.utf8)), maximumSize: 10_000)
        #expect(payload.json["properties"] == ["a": nil, "b": nil, "c": nil, "d": nil, "e": nil, "f": .number("1.5e300")])
    }
}
