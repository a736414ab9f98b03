import Foundation

/// A `multipart/form-data` body: fields and uploaded files, as browsers and `curl -F` send them.
package struct MultipartForm: Sendable {
    package struct Part: Sendable {
        package var name: String
        package var fileName: String?
        package var contentType: String?
        package var content: [UInt8]

        package var text: String { String(decoding: content, as: UTF8.self) }
    }

    package var parts: [Part]

    package func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// Parses the body; `nil` when the content type is not multipart or the body is malformed.
    package init?(contentType: String?, body: [UInt8]) {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundaryParameter = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })
        else { return nil }
        let boundary = Array(("--" + boundaryParameter.dropFirst(9).trimmingCharacters(in: CharacterSet(charactersIn: "\""))).utf8)
        var parts: [Part] = []
        var cursor = 0
        guard let first = Self.find(boundary, in: body, from: 0) else { return nil }
        cursor = first + boundary.count
        while cursor + 2 <= body.count, !(body[cursor] == UInt8(ascii: "-") && body[cursor + 1] == UInt8(ascii: "-")) {
            cursor += 2  // CRLF after the boundary
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: cursor),
                let next = Self.find(Array("\r\n".utf8) + boundary, in: body, from: headerEnd + 4)
            else { return nil }
            let headers = String(decoding: body[cursor..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
            var part = Part(name: "", content: Array(body[(headerEnd + 4)..<next]))
            for header in headers {
                let pieces = header.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pieces.count == 2 else { continue }
                switch pieces[0].lowercased() {
                case "content-disposition":
                    for parameter in pieces[1].split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                        let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                        guard pair.count == 2 else { continue }
                        let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                        if pair[0] == "name" { part.name = value }
                        if pair[0] == "filename" { part.fileName = value }
                    }
                case "content-type":
                    part.contentType = pieces[1]
                default:
                    break
                }
            }
            parts.append(part)
            cursor = next + 2 + boundary.count
        }
        self.parts = parts
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
