import EventIngestion
import Foundation
import HTTPTypes
import Hummingbird
import OrderedJSON
import Storage

/// Segment's tracking API (`/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/group`, `/v1/alias`,
/// `/v1/batch`), so Segment's libraries can send to Quill: each message becomes the PostHog event PostHog's
/// Segment integration makes of it (``SegmentMessage``) and goes through capture's own path, durable before 2xx.
struct SegmentController: Sendable {
    let capture: CaptureController

    func addRoutes(to router: some RouterMethods<QuillRequestContext>) {
        for type in SegmentMessage.types + ["batch"] {
            let path = RouterPath("v1/\(type)")
            router.post(path) { request, context in
                try await capture.countingStatus { try await accept(request, context, type: type == "batch" ? nil : type) }
            }
            router.on(path, method: .options) { _, _ in Response(status: .noContent) }
        }
    }

    /// - Parameter type: The endpoint's call type; `nil` for `/v1/batch`.
    private func accept(_ request: Request, _ context: QuillRequestContext, type: String?) async throws -> Response {
        try capture.refuseWhenBacklogFull()
        let limit = capture.maximumBodySize
        let captureRequest = try await CaptureRequest.read(request, limit: limit)
        let body: JSONValue
        do {
            body = try CapturePayloadDecoder.decode(captureRequest, maximumSize: limit).json
        } catch {
            throw APIError(error)
        }
        guard body.objectValue != nil else { throw APIError.invalidPayload("The body must be a JSON object (a Segment message).") }
        let messages: [JSONValue]
        if type == nil {
            guard let batch = body["batch"]?.arrayValue else {
                throw APIError.invalidPayload("A /v1/batch body needs 'batch', an array of messages.")
            }
            messages = batch
        } else {
            messages = [body]
        }
        capture.metrics.countReceived(messages.count)
        let project: Project
        do {
            project = try await self.project(writeKey: Self.writeKey(of: request, body: body))
        } catch let error as APIError {
            capture.metrics.countRejected(messages.count, reason: error.code)
            throw error
        }
        let events = messages.enumerated().map { index, message in
            SegmentMessage.posthogEvent(from: message, type: type).mapError { EventPreparation.Rejection(index: index, reason: $0.reason) }
        }
        let rejections = try await capture.store(
            events, of: project, origin: capture.origin(of: request, context),
            sentAt: body["sentAt"]?.stringValue.flatMap(Timestamp.init(iso8601:)), source: .segment, context: context)
        var answer = JSONObject([("success", true)])
        if !rejections.isEmpty { answer["invalid_events"] = CaptureController.describe(rejections) }
        return Response.json(.object(answer))
    }

    /// The write key: the user name of Basic auth (the password is empty), else the body's `writeKey`.
    static func writeKey(of request: Request, body: JSONValue) -> String? {
        if let authorization = request.headers[.authorization],
            authorization.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let credentials = String(data: decoded, encoding: .utf8),
            let user = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first, !user.isEmpty
        {
            return String(user)
        }
        return body["writeKey"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    private func project(writeKey: String?) async throws -> Project {
        guard let writeKey else { throw APIError.missingProjectToken }
        let found: Project?
        do {
            found = try await capture.projects.project(apiToken: writeKey)
        } catch {
            throw APIError.storageUnavailable
        }
        guard let project = found else { throw APIError.invalidProjectToken }
        return project
    }
}
