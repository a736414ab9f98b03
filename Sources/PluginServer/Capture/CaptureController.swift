import EventIngestion
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrderedJSON
import Storage

/// PostHog's capture endpoints: `/e`, `/capture`, `/track`, `/engage`, `/batch`, `/i/v0/e`, and `/s` where
/// posthog-js sends session recordings; GET and POST, and OPTIONS for browsers' preflights.
///
/// A 2xx answer means the request's events are in the durable ingestion log.
struct CaptureController: Sendable {
    let projects: any ProjectStore
    let writer: GroupCommitter<IngestionRecord>
    let maximumBodySize: Int
    /// The limit of `/s`, whose bodies are recordings.
    let maximumRecordingBodySize: Int
    let metrics: IngestionMetrics
    let backlog: IngestionBacklog
    let integrations: IntegrationUsage

    static let paths = ["e", "capture", "track", "engage", "batch", "i/v0/e", "s"]

    /// Adds the routes to `router`, which answers browsers' cross-origin requests (``BrowserCORSMiddleware``).
    func addRoutes(to router: some RouterMethods<QuillRequestContext>) {
        // The router matches a trailing slash too: `/e` and `/e/` are one route.
        for path in Self.paths {
            let limit = path == "s" ? maximumRecordingBodySize : maximumBodySize
            router.get(RouterPath(path)) { request, context in try await capture(request, context, path: path, limit: limit) }
            router.post(RouterPath(path)) { request, context in try await capture(request, context, path: path, limit: limit) }
            router.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) }
        }
    }

    private func capture(_ request: Request, _ context: QuillRequestContext, path: String, limit: Int) async throws -> Response {
        try await countingStatus { try await accept(request, context, path: path, limit: limit) }
    }

    /// Runs a capture endpoint's `handler`, counting its answer's status.
    func countingStatus(_ handler: () async throws -> Response) async throws -> Response {
        do {
            let response = try await handler()
            metrics.countRequest(status: Int(response.status.code))
            return response
        } catch let error as APIError {
            metrics.countRequest(status: Int(error.status.code))
            throw error
        }
    }

    /// Stores the request's valid events in the ingestion log, or throws what is wrong with it.
    /// - Parameter limit: The most bytes the body may have, before and after decompression.
    private func accept(_ request: Request, _ context: QuillRequestContext, path: String, limit: Int) async throws -> Response {
        try refuseWhenBacklogFull()
        let captureRequest = try await CaptureRequest.read(request, limit: limit)
        let batch: CaptureBatch
        do {
            batch = try CaptureBatch(
                payload: try CapturePayloadDecoder.decode(captureRequest, maximumSize: limit), query: captureRequest.query)
        } catch {
            throw APIError(error)
        }
        metrics.countReceived(batch.events.count)
        let project: Project
        do {
            project = try await projects.project(of: batch)
        } catch let error as APIError {
            metrics.countRejected(batch.events.count, reason: error.code)
            throw error
        }
        let rejections = try await store(
            batch.events.map { .success($0) }, of: project, origin: origin(of: request, context, isEngage: path == "engage"),
            sentAt: batch.sentAt, source: .posthog, context: context)
        var answer = JSONObject([("status", 1)])
        if !rejections.isEmpty { answer["invalid_events"] = Self.describe(rejections) }
        return Response.json(.object(answer))
    }

    /// Refused before the body is read: a full log means the server is behind, and reading costs too.
    func refuseWhenBacklogFull() throws {
        guard !backlog.isFull else {
            metrics.countRejected(1, reason: "backlog_full")
            throw APIError.backlogFull
        }
    }

    /// Prepares a request's events and stores the valid ones in the ingestion log: once this returns, they are durable.
    /// - Parameter events: Each event, or why it was refused before preparation (a Segment message that maps to none).
    /// - Returns: The refused events; throws a 400 when no event is valid, a 503 when storing failed.
    func store(
        _ events: [Result<JSONValue, EventPreparation.Rejection>], of project: Project, origin: CaptureOrigin, sentAt: Timestamp?,
        source: IntegrationUsage.Source, context: QuillRequestContext
    ) async throws -> [EventPreparation.Rejection] {
        var records: [IngestionRecord] = []
        var stored: [JSONValue] = []
        var rejections: [EventPreparation.Rejection] = []
        for (index, event) in events.enumerated() {
            switch event.flatMap({ EventPreparation.prepare($0, index: index, project: project, origin: origin, sentAt: sentAt) }) {
            case .success(let record):
                records.append(record)
                if case .success(let json) = event { stored.append(json) }
            case .failure(let rejection): rejections.append(rejection)
            }
        }
        metrics.countRejected(rejections.count, reason: "invalid_event")
        guard !records.isEmpty else {
            let reasons = rejections.prefix(5).map { "event \($0.index): \($0.reason)" }.joined(separator: "; ")
            throw APIError.invalidPayload(
                events.isEmpty ? "The request has no events." : "No valid events in the request: \(reasons).")
        }
        do {
            try await writer.submit(records)
        } catch {
            metrics.countRejected(records.count, reason: "storage_unavailable")
            context.logger.error("Could not store accepted events", metadata: ["error": "\(error)"])
            throw APIError.storageUnavailable
        }
        metrics.countAccepted(records.count)
        integrations.countCaptured(stored, teamID: project.id, source: source)
        return rejections
    }

    /// Refused events as an answer's `invalid_events`.
    static func describe(_ rejections: [EventPreparation.Rejection]) -> JSONValue {
        .array(rejections.map { ["index": JSONValue($0.index), "reason": .string($0.reason)] })
    }

    func origin(of request: Request, _ context: QuillRequestContext, isEngage: Bool = false) -> CaptureOrigin {
        CaptureOrigin(ip: clientIP(request, context), siteURL: siteURL(request), now: .now, isEngage: isEngage)
    }

    /// The first `X-Forwarded-For` address (set by a proxy in front of Quill), else the peer's address.
    private func clientIP(_ request: Request, _ context: QuillRequestContext) -> String? {
        if let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return context.remoteAddress?.ipAddress
    }

    private func siteURL(_ request: Request) -> String {
        let scheme = request.headers[.xForwardedProto] ?? "http"
        return "\(scheme)://\(request.head.authority ?? "localhost")"
    }
}

extension CaptureRequest {
    /// The request with its body, which may have `limit` bytes at most (else a 413).
    static func read(_ request: Request, limit: Int) async throws -> CaptureRequest {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(CaptureRejection.tooLarge(limit: limit))
        }
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { first, _ in first }
        return CaptureRequest(
            isGET: request.method == .get, query: query, contentType: request.headers[.contentType],
            contentEncoding: request.headers[.contentEncoding], body: Array(buffer: body))
    }
}

extension ProjectStore {
    /// The project of the batch's token; else, with `project_id`, a personal API key of the project's organization.
    /// A database that can't be reached answers 503, as storing would.
    func project(of batch: CaptureBatch) async throws -> Project {
        guard let token = batch.token else { throw APIError.missingProjectToken }
        do {
            if let project = try await project(apiToken: token) { return project }
            if let projectID = batch.projectID,
                let organizationID = try await organizationID(personalAPIKeyHash: APIKeys.hash(personalAPIKey: token)),
                let project = try await project(id: projectID), project.organizationID == organizationID
            {
                return project
            }
        } catch {
            throw APIError.storageUnavailable
        }
        throw APIError.invalidProjectToken
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
