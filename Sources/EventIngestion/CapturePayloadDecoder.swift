import Compression
import Foundation
package import OrderedJSON

/// A capture request reduced to what decoding needs: where the payload may be and how it is encoded.
package struct CaptureRequest: Sendable {
    package var isGET: Bool
    /// Query parameters (first value of each name).
    package var query: [String: String]
    package var contentType: String?
    package var contentEncoding: String?
    package var body: [UInt8]

    package init(isGET: Bool, query: [String: String], contentType: String?, contentEncoding: String?, body: [UInt8]) {
        self.isGET = isGET
        self.query = query
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.body = body
    }
}

/// A decoded capture payload: the JSON and the form fields it came with.
package struct CapturePayload: Sendable {
    package var json: JSONValue
    /// Fields of a form-encoded body (`data`, `api_key`, `compression`, `sent_at`, …).
    package var form: [String: String]
}

/// Turns a capture request's body (or `data` field) into JSON, as PostHog's capture does (reference §4):
/// the body for JSON and text posts, the form's `data` field otherwise, the `data` query parameter for
/// GET; then gzip / lz64 per `compression` or `Content-Encoding`, then base64 when it decodes, then JSON.
package enum CapturePayloadDecoder {
    /// - Parameters:
    ///   - maximumSize: The most bytes the payload may have after decompression; more is a 413.
    ///   - emptyAllowed: Whether a request without data is an empty object (`/decide` may carry its token in the
    ///     query alone) rather than a 400.
    package static func decode(
        _ request: CaptureRequest, maximumSize: Int, emptyAllowed: Bool = false
    ) throws(CaptureRejection) -> CapturePayload {
        var form: [String: String] = [:]
        let data: [UInt8]
        let mediaType = request.contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        if request.isGET {
            data = Array((request.query["data"] ?? "").utf8)
        } else if mediaType == "application/x-www-form-urlencoded" {
            form = FormDecoding.fields(of: request.body)
            if let field = form["data"] {
                data = Array(field.utf8)
            } else if [UInt8(ascii: "{"), UInt8(ascii: "[")].contains(request.body.first) {
                // `curl -d '{…}'` labels JSON as a form; read it as the JSON it is.
                form = [:]
                data = request.body
            } else {
                data = []
            }
        } else {
            data = request.body
        }
        guard !data.isEmpty else {
            if emptyAllowed { return CapturePayload(json: .object(JSONObject()), form: form) }
            throw .invalidPayload(
                "No data found. Send the events as the request body (POST) or in the 'data' field or query parameter.")
        }

        let compression = (request.query["compression"] ?? form["compression"] ?? request.contentEncoding)?.lowercased()
        let decompressed: [UInt8]
        switch compression {
        case "gzip", "gzip-js":
            do {
                decompressed = try Zlib.gunzip(data, maximumOutput: maximumSize)
            } catch {
                throw error.exceedsLimit
                    ? .tooLarge(limit: maximumSize) : .invalidPayload("Malformed request data: Failed to decompress data. (\(error))")
            }
        case "lz64", "lz-string":
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: " ", with: "+")
            let decoded: String?
            do {
                decoded = try LZString.decompressFromBase64(text, maximumOutput: maximumSize)
            } catch {
                throw error.exceedsLimit
                    ? .tooLarge(limit: maximumSize) : .invalidPayload("Malformed request data: Failed to decompress data. (\(error))")
            }
            guard let decoded, !decoded.isEmpty else {
                throw .invalidPayload("Malformed request data: Failed to decompress data. (invalid lz64)")
            }
            // The limit counted UTF-16 code units; in UTF-8 the same text may take up to three times as many bytes.
            decompressed = Array(decoded.utf8)
            guard decompressed.count <= maximumSize else { throw .tooLarge(limit: maximumSize) }
        // posthog-js says `base64` of a body that is only base64, which parseJSON decodes.
        case nil, "", "none", "identity", "base64":
            decompressed = data
        case let other?:
            throw .invalidPayload("Unknown compression '\(other)': use gzip, gzip-js, lz64 or base64.")
        }

        let json = try parseJSON(decompressed, compressed: compression != nil, maximumSize: maximumSize)
        return CapturePayload(json: json, form: form)
    }

    /// JSON, or base64 of JSON; an uncompressed body that is neither may be gzip sent without saying so.
    private static func parseJSON(_ bytes: [UInt8], compressed: Bool, maximumSize: Int) throws(CaptureRejection) -> JSONValue {
        let firstByte = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if firstByte != UInt8(ascii: "{") && firstByte != UInt8(ascii: "["), let decoded = base64Decoded(bytes) {
            if let json = try? parseLenientJSON(decoded) { return json }
        }
        do {
            return try parseLenientJSON(bytes)
        } catch {
            if !compressed, Zlib.looksLikeGzip(bytes) {
                let inflated: [UInt8]
                do {
                    inflated = try Zlib.gunzip(bytes, maximumOutput: maximumSize)
                } catch let compression where compression.exceedsLimit {
                    throw .tooLarge(limit: maximumSize)
                } catch _ {
                    throw .invalidPayload("Malformed request data: invalid JSON: \(error.description)")
                }
                if let json = try? parseLenientJSON(inflated) { return json }
            }
            throw .invalidPayload("Malformed request data: invalid JSON: \(error.description)")
        }
    }

    /// JSON, accepting the `NaN`, `Infinity` and `-Infinity` some clients (Python's json) write, as null.
    private static func parseLenientJSON(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            guard let replaced = replacingNonFiniteNumbers(in: bytes) else { throw error }
            return try JSONValue.parse(replaced)
        }
    }

    /// The text with bare `NaN`/`Infinity`/`-Infinity` tokens (outside strings) replaced by `null`; nil if there are none.
    private static func replacingNonFiniteNumbers(in bytes: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        var index = 0
        var replaced = false
        let tokens: [[UInt8]] = [Array("-Infinity".utf8), Array("Infinity".utf8), Array("NaN".utf8)]
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if let token = tokens.first(where: { bytes[index...].starts(with: $0) }) {
                output.append(contentsOf: Array("null".utf8))
                index += token.count
                replaced = true
                continue
            }
            output.append(byte)
            index += 1
        }
        return replaced ? output : nil
    }

    /// Base64 as PostHog reads it: spaces are `+`, missing padding is added; nil when it isn't base64.
    private static func base64Decoded(_ bytes: [UInt8]) -> [UInt8]? {
        var text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: " ", with: "+")
        if text.contains("-") || text.contains("_") {
            text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        }
        let remainder = text.count % 4
        if remainder != 0 { text += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: text).map(Array.init)
    }
}

/// `application/x-www-form-urlencoded` bodies.
package enum FormDecoding {
    package static func fields(of body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }

    private static func decode(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
