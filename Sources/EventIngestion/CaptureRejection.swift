/// Why a capture request is refused as a whole, in PostHog's terms: the HTTP status, a
/// machine-readable code and a message a person can act on. Nothing of a refused request is stored.
package struct CaptureRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400 for a malformed request, 413 for one over the size limit.
    package var status: Int
    package var code: String
    package var detail: String

    package var description: String { detail }

    package static func invalidPayload(_ detail: String) -> CaptureRejection {
        CaptureRejection(status: 400, code: "invalid_payload", detail: detail)
    }

    package static func tooLarge(limit: Int) -> CaptureRejection {
        CaptureRejection(
            status: 413, code: "payload_too_large",
            detail: "The request body is larger than \(limit) bytes (after decompression): send fewer events per request.")
    }
}
