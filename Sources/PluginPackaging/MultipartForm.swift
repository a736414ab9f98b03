import MultipartKit
import NIOCore

/// A `multipart/form-data` body: fields and uploaded files, as browsers and `curl -F` send them.
/// multipart-kit splits the body into parts; this keeps what the management API reads of them, within bounds.
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
        let collector = PartCollector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { collector.header(name: $0, value: $1) }
        parser.onBody = { collector.content.append(contentsOf: $0.readableBytesView) }
        parser.onPartComplete = { collector.complete() }
        // In slices, so a limit stops the parser soon after it is passed.
        let sliceSize = 64 * 1024
        for start in stride(from: 0, to: body.count, by: sliceSize) {
            do {
                try parser.execute(Array(body[start..<min(start + sliceSize, body.count)]))
            } catch {
                throw MultipartFormError("The multipart body is malformed.")
            }
            if let problem = collector.problem { throw problem }
        }
        guard !collector.isInsidePart else { throw MultipartFormError("The multipart body ends inside a part.") }
        guard !collector.parts.isEmpty else { throw MultipartFormError("The multipart body has no part with its boundary.") }
        parts = collector.parts
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
    var content: [UInt8] = []
    var problem: MultipartFormError?
    private var headers: [(name: String, value: String)] = []
    private var headerSize = 0

    var isInsidePart: Bool { !headers.isEmpty || !content.isEmpty }

    func header(name: String, value: String) {
        headerSize += name.utf8.count + value.utf8.count
        if headerSize > MultipartForm.maximumHeaderSize {
            problem = MultipartFormError("A part's headers are longer than \(MultipartForm.maximumHeaderSize) bytes.")
        }
        headers.append((name, value))
    }

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
        if parts.count > MultipartForm.maximumPartCount {
            problem = MultipartFormError("The multipart body has more than \(MultipartForm.maximumPartCount) parts.")
        }
        headers = []
        headerSize = 0
        content = []
    }
}

/// A header value with parameters, `type; name=value; name="quoted \"value\""` (RFC 9110 §5.6.6).
enum HeaderParameters {
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
