import EventIngestion
import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore
import OrderedJSON

/// An error answered as PostHog answers it: a status and `{type, code, detail, attr}`.
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    /// `validation_error`, `authentication_error`, `not_found`, …
    public var type: String
    /// A machine-readable code, e.g. `invalid_payload`, `missing_api_key`.
    public var code: String
    /// A message a person can act on.
    public var detail: String
    public var attribute: String?
    /// Every field's problem when several fields are wrong (a config form), as (field, message).
    public var fieldErrors: [(attribute: String, detail: String)] = []
    /// Seconds a client should wait before trying again (`Retry-After`), for a 503 or 429.
    public var retryAfterSeconds: Int?

    public init(status: HTTPResponse.Status, type: String, code: String, detail: String, attribute: String? = nil) {
        self.status = status
        self.type = type
        self.code = code
        self.detail = detail
        self.attribute = attribute
    }

    /// A refused capture request, as capture answers it.
    init(_ rejection: CaptureRejection) {
        self.init(
            status: HTTPResponse.Status(code: rejection.status), type: "validation_error", code: rejection.code,
            detail: rejection.detail)
    }

    static func invalidPayload(_ detail: String) -> APIError {
        APIError(status: .badRequest, type: "validation_error", code: "invalid_payload", detail: detail)
    }

    static func invalidInput(_ detail: String, attribute: String? = nil) -> APIError {
        APIError(status: .badRequest, type: "validation_error", code: "invalid_input", detail: detail, attribute: attribute)
    }

    static let missingProjectToken = APIError(
        status: .unauthorized, type: "authentication_error", code: "missing_api_key",
        detail: "API key not provided. You can find your project API key in your Quill project settings.")

    static let invalidProjectToken = APIError(
        status: .unauthorized, type: "authentication_error", code: "invalid_api_key",
        detail: "Project API key invalid. You can find your project API key in your Quill project settings.")

    static let missingPersonalAPIKey = APIError(
        status: .unauthorized, type: "authentication_error", code: "not_authenticated",
        detail: "Authentication credentials were not provided: send 'Authorization: Bearer <personal API key>'.")

    static let invalidPersonalAPIKey = APIError(
        status: .unauthorized, type: "authentication_error", code: "authentication_failed",
        detail: "Personal API key invalid.")

    /// The key `posthog.api` gives a plugin reads its own project, as PostHog's plugin keys did.
    static let pluginKeyIsReadOnly = APIError(
        status: .forbidden, type: "authentication_error", code: "permission_denied",
        detail: "Plugin keys are read-only: the key posthog.api gives a plugin may only read its own project (GET its events, plugin configs, logs, …), not change anything or reach its organization.")

    static var backlogFull: APIError {
        var error = APIError(
            status: .serviceUnavailable, type: "server_error", code: "backlog_full",
            detail: "Quill has more events waiting to be processed than it takes (QUILL_MAX_BACKLOG); nothing was accepted. "
                + "Retry after \(IngestionBacklog.retryAfterSeconds) seconds.")
        error.retryAfterSeconds = IngestionBacklog.retryAfterSeconds
        return error
    }

    /// The database could not be reached or written: nothing was accepted, and a client's retry may succeed.
    static var storageUnavailable: APIError {
        var error = APIError(
            status: .serviceUnavailable, type: "server_error", code: "storage_unavailable",
            detail: "The events could not be stored; nothing was accepted. Retry later.")
        error.retryAfterSeconds = 1
        return error
    }

    static let notFound = APIError(status: .notFound, type: "invalid_request", code: "not_found", detail: "Not found.")

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = JSONObject([
            ("type", .string(type)), ("code", .string(code)), ("detail", .string(detail)),
            ("attr", attribute.map(JSONValue.string) ?? .null),
        ])
        if !fieldErrors.isEmpty {
            body["errors"] = .array(fieldErrors.map { ["attr": .string($0.attribute), "detail": .string($0.detail)] })
        }
        var response = Response.json(.object(body), status: status)
        if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
        return response
    }
}

extension Response {
    /// A JSON response from an ordered JSON value.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }
}
