import PluginPackaging
import Testing

@Suite struct MultipartFormTests {
    private static let contentType = "multipart/form-data; boundary=XyZ"

    private func form(_ body: String, contentType: String = contentType) throws(MultipartFormError) -> MultipartForm? {
        try MultipartForm(contentType: contentType, body: Array(body.utf8))
    }

    private func error(_ body: String, contentType: String = contentType) -> String? {
        do {
            _ = try form(body, contentType: contentType)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsFieldsAndFilesAsCurlSendsThem() throws {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"plugin\"\r\n\r\n1\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"add_attachment[file]\"; filename=\"a;b \\\"c\\\".txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n--XyZ--\r\n"
        let form = try #require(try form(body))
        #expect(form.parts.count == 2)
        #expect(form.part("plugin")?.text == "1")
        let file = try #require(form.part("add_attachment[file]"))
        #expect(file.fileName == "a;b \"c\".txt")
        #expect(file.contentType == "text/plain")
        #expect(file.text == "line one\r\nline two")
    }

    @Test func keepsBinaryContentAndAQuotedBoundary() throws {
        let content: [UInt8] = [0, 0x0D, 0x0A, 0x2D, 0x2D, 0xFF, 0x0D]
        let body =
            Array("preamble\r\n--a b\r\nContent-Disposition: form-data; name=archive; filename=p.zip\r\n\r\n".utf8)
            + content + Array("\r\n--a b--".utf8)
        let form = try #require(try MultipartForm(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"", body: body))
        #expect(form.part("archive")?.content == content)
        #expect(form.part("archive")?.fileName == "p.zip")
    }

    @Test func isNilForOtherContentTypes() throws {
        #expect(try form("{}", contentType: "application/json") == nil)
        #expect(try MultipartForm(contentType: nil, body: []) == nil)
    }

    @Test func namesWhatIsWrong() {
        let part = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        #expect(error(part, contentType: "multipart/form-data") == "The multipart Content-Type needs a boundary of 1 to 70 characters.")
        #expect(error(part, contentType: "multipart/form-data; boundary=") == "The multipart Content-Type needs a boundary of 1 to 70 characters.")
        #expect(error(part, contentType: "multipart/form-data; boundary=\"XyZ") == "The multipart Content-Type needs a boundary of 1 to 70 characters.")
        #expect(error("no boundary here") == "The multipart body has no part with its boundary.")
        #expect(error(part) == "The multipart body ends inside a part.")
        #expect(error("--XyZ\r\nBad Header: x\r\n\r\n1\r\n--XyZ--") == "The multipart body is malformed.")
    }

    /// Found by fuzzing: multipart-kit trapped on a header name byte outside ASCII.
    @Test func aHeaderNameOutsideASCIIIsMalformed() throws {
        let body =
            Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Typ".utf8) + [0xA4]
            + Array(": text/plain\r\n\r\n1\r\n--XyZ--".utf8)
        #expect(throws: MultipartFormError.self) { try MultipartForm(contentType: Self.contentType, body: body) }
        // Outside ASCII in a value is fine: browsers send file names as UTF-8.
        let utf8Name = try form("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"Ünïcødé.zip\"\r\n\r\n1\r\n--XyZ--")
        #expect(utf8Name?.part("f")?.fileName == "Ünïcødé.zip")
    }

    @Test func boundsThePartCountAndHeaderSize() {
        let part = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        let many = String(repeating: part, count: MultipartForm.maximumPartCount + 1) + "--XyZ--"
        #expect(error(many) == "The multipart body has more than \(MultipartForm.maximumPartCount) parts.")
        let header = "--XyZ\r\nX-Padding: \(String(repeating: "a", count: MultipartForm.maximumHeaderSize))\r\n\r\n1\r\n--XyZ--"
        #expect(error(header) == "A part's headers are longer than \(MultipartForm.maximumHeaderSize) bytes.")
    }
}
