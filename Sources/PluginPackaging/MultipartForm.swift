import MultipartKit
import NIOCore

/// A `multipart/form-data` body: fields and uploaded files, as browsers and `curl -F` send them.
/// multipart-kit splits the body into parts; this bounds what it is given and keeps what the management API reads.
package struct MultipartForm: Sendable {
    package struct Part: Sendable {
        package var name: String
        package var fileName: String?
        package var contentType: String?
        package var content: [UInt8]

        package var text: String { String(decoding: content, as: UTF8.self) }
    }

    /// A form has a few fields and files; more parts than this is not a form a person sent.
    package static let maximumPartCount = 1_000
    /// The headers of one part (its `Content-Disposition`, `Content-Type`, …), in bytes.
    package static let maximumHeaderSize = 16 * 1024

    package var parts: [Part]

    package func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// Parses the body; `nil` when the content type is not `multipart/form-data`.
    package init?(contentType: String?, body: [UInt8]) throws(MultipartFormError) {
        guard let contentType else { return nil }
        let (mediaType, parameters) = HeaderParameters.parse(contentType)
        guard mediaType.lowercased() == "multipart/form-data" else { return nil }
        // RFC 2046 allows 1 to 70 characters; multipart-kit traps on an empty boundary.
        guard let boundary = parameters["boundary"], (1...70).contains(boundary.utf8.count) else {
            throw MultipartFormError("The multipart Content-Type needs a boundary of 1 to 70 characters.")
        }
        try Self.checkHeaders(of: body, boundary: boundary)
        let collector = PartCollector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { collector.headers.append(($0, $1)) }
        parser.onBody = { collector.content.append(contentsOf: $0.readableBytesView) }
        parser.onPartComplete = { collector.complete() }
        do {
            try parser.execute(body)
        } catch {
            throw MultipartFormError("The multipart body is malformed.")
        }
        guard !collector.isInsidePart else { throw MultipartFormError("The multipart body ends inside a part.") }
        guard !collector.parts.isEmpty else { throw MultipartFormError("The multipart body has no part with its boundary.") }
        parts = collector.parts
    }

    /// Bounds each part's headers before multipart-kit reads them: at most `maximumPartCount` parts of at most
    /// `maximumHeaderSize` bytes of headers, with names in ASCII, since multipart-kit looks each byte of a name
    /// up in a table of the 128 ASCII ones and traps on any other (found by fuzzing).
    ///
    /// Headers start after every `--boundary` CRLF, where each delimiter the parser accepts ends. The search is
    /// Knuth–Morris–Pratt: linear, where a naive one over a hostile boundary and body would take seconds.
    private static func checkHeaders(of body: [UInt8], boundary: String) throws(MultipartFormError) {
        let delimiter = Array("--\(boundary)\r\n".utf8)
        // For each prefix of the delimiter, the length of its longest proper prefix that is also its suffix.
        var fallback = [Int](repeating: 0, count: delimiter.count)
        var matched = 0
        for index in 1..<delimiter.count {
            while matched > 0, delimiter[index] != delimiter[matched] { matched = fallback[matched - 1] }
            if delimiter[index] == delimiter[matched] { matched += 1 }
            fallback[index] = matched
        }
        matched = 0
        var delimiters = 0
        for (index, byte) in body.enumerated() {
            while matched > 0, byte != delimiter[matched] { matched = fallback[matched - 1] }
            if byte == delimiter[matched] { matched += 1 }
            guard matched == delimiter.count else { continue }
            matched = fallback[matched - 1]
            delimiters += 1
            guard delimiters <= maximumPartCount else {
                throw MultipartFormError("The multipart body has more than \(maximumPartCount) parts.")
            }
            try checkHeaderLines(of: body, from: index + 1)
        }
    }

    /// Header lines (a name up to `:`, a value up to CR, then LF) from `start` until the empty line.
    private static func checkHeaderLines(of body: [UInt8], from start: Int) throws(MultipartFormError) {
        let limit = min(body.count, start + maximumHeaderSize)
        var index = start
        while index < limit, body[index] != 0x0D {
            while index < limit, body[index] != UInt8(ascii: ":"), body[index] != 0x0D {
                guard body[index] < 0x80 else {
                    throw MultipartFormError("The multipart body is malformed: a header name is not ASCII.")
                }
                index += 1
            }
            while index < limit, body[index] != 0x0D { index += 1 }
            index += 2
        }
        guard index < limit || limit == body.count else {
            throw MultipartFormError("A part's headers are longer than \(maximumHeaderSize) bytes.")
        }
    }
}

package struct MultipartFormError: Error, Sendable, CustomStringConvertible {
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// What multipart-kit's callbacks report, gathered into parts.
private final class PartCollector {
    var parts: [MultipartForm.Part] = []
    var headers: [(name: String, value: String)] = []
    var content: [UInt8] = []

    var isInsidePart: Bool { !headers.isEmpty || !content.isEmpty }

    func complete() {
        var part = MultipartForm.Part(name: "", content: content)
        for (name, value) in headers {
            switch name.lowercased() {
            case "content-disposition":
                let parameters = HeaderParameters.parse(value).parameters
                part.name = parameters["name"] ?? ""
                part.fileName = parameters["filename"]
            case "content-type":
                part.contentType = value
            default:
                break
            }
        }
        parts.append(part)
        headers = []
        content = []
    }
}

/// A header value with parameters, `type; name=value; name="quoted \"value\""` (RFC 9110 §5.6.6).
private enum HeaderParameters {
    /// The value before the first `;`, and the parameters by lowercased name (the first of a repeated one).
    /// A parameter whose quoted string is not closed is left out, and so is everything after it.
    static func parse(_ header: String) -> (value: String, parameters: [String: String]) {
        var characters = Substring(header)
        let value = characters.prefix { $0 != ";" }
        characters = characters.dropFirst(value.count)
        var parameters: [String: String] = [:]
        while characters.first == ";" {
            characters = characters.dropFirst().drop { $0 == " " || $0 == "\t" }
            let name = characters.prefix { $0 != "=" && $0 != ";" }
            characters = characters.dropFirst(name.count)
            var parameterValue = ""
            if characters.first == "=" {
                characters = characters.dropFirst()
                if characters.first == "\"" {
                    characters = characters.dropFirst()
                    var isClosed = false
                    while let character = characters.popFirst() {
                        if character == "\"" {
                            isClosed = true
                            break
                        }
                        if character == "\\", let escaped = characters.popFirst() {
                            parameterValue.append(escaped)
                        } else {
                            parameterValue.append(character)
                        }
                    }
                    guard isClosed else { break }
                    characters = characters.drop { $0 != ";" }
                } else {
                    let token = characters.prefix { $0 != ";" }
                    characters = characters.dropFirst(token.count)
                    parameterValue = token.trimmingTrailingWhitespace()
                }
            }
            let key = name.trimmingTrailingWhitespace().lowercased()
            if !key.isEmpty, parameters[key] == nil { parameters[key] = parameterValue }
        }
        return (value.drop { $0 == " " || $0 == "\t" }.trimmingTrailingWhitespace(), parameters)
    }
}

extension Substring {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var trimmed = self
        while trimmed.last == " " || trimmed.last == "\t" { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
