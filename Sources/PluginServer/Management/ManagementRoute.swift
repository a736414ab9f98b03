import HTTPTypes
import Hummingbird

/// One route of the management API: what the OpenAPI document says of it, and its handler. The same
/// table registers the routes and makes the document's `paths`, so the two can't drift apart.
struct ManagementRoute: Sendable {
    typealias Handler = @Sendable (Request, QuillRequestContext) async throws -> Response

    var operation: ManagementOperation
    var handler: Handler

    init(_ operation: ManagementOperation, handler: @escaping Handler) {
        self.operation = operation
        self.handler = handler
    }

    /// - Parameters:
    ///   - path: The path with `:parameter`s, without a leading slash; each parameter is one of the
    ///     components file's `parameters`.
    ///   - parameters: The query and header parameters it reads, by their names in the components file's `parameters`.
    ///   - body: The request body in each media type it takes.
    ///   - bodyRequired: Whether a request must have a body; where an empty one is read as `{}`, it need not.
    ///   - answers: What it answers when it succeeds.
    ///   - errors: The errors it may answer besides 401, which every route that needs a key may answer.
    ///   - needsKey: Whether it asks for a personal API key (every route but the document's own).
    init(
        _ method: HTTPRequest.Method, _ path: String, summary: String, tag: ManagementOperation.Tag, parameters: [String] = [],
        body: [ManagementOperation.Content] = [], bodyRequired: Bool = false, answers: [ManagementOperation.Answer],
        errors: [ManagementOperation.ErrorAnswer] = [], needsKey: Bool = true, handler: @escaping Handler
    ) {
        self.init(
            ManagementOperation(
                method: method, path: path, summary: summary, tag: tag, parameters: parameters, body: body, bodyRequired: bodyRequired,
                answers: answers, errors: errors, needsKey: needsKey),
            handler: handler)
    }

    static func register(_ routes: [ManagementRoute], on router: Router<QuillRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.operation.path), method: route.operation.method, use: route.handler)
        }
    }
}

/// What one management route takes and answers, as the OpenAPI document tells it. Schemas and
/// parameters are named by their keys in `OpenAPI/components.json`.
struct ManagementOperation: Sendable {
    /// The document's groups of operations.
    enum Tag: String, CaseIterable, Sendable {
        case plugins
        case pluginConfigs = "plugin configs"
        case projects
        case events
        case ingestion
        case users
        case hooks = "webhooks and hooks"
        case openAPI = "openapi"

        var description: String {
            switch self {
            case .plugins: "The organization's plugins: install, inspect, update, remove."
            case .pluginConfigs: "A project's plugin chain: configs, their logs, jobs, dead letters and runs."
            case .projects: "A project and its settings."
            case .events: "The project's stored events."
            case .ingestion: "What ingestion corrected or could not process, and the project's plugin time."
            case .users: "What a personal API key reaches."
            case .hooks: "Action webhooks (a message to Slack, Discord, Teams or a JSON webhook when an event matches) and REST hooks (Zapier's subscriptions)."
            case .openAPI: "This document."
            }
        }
    }

    /// A body in one media type, with its schema.
    struct Content: Sendable {
        var mediaType: String
        var schema: String

        static func json(_ schema: String) -> Content { Content(mediaType: "application/json", schema: schema) }
        static func multipart(_ schema: String) -> Content { Content(mediaType: "multipart/form-data", schema: schema) }
        /// Any bytes: the body is a file.
        static let file = Content(mediaType: "application/octet-stream", schema: "BinaryFile")
        static let zip = Content(mediaType: "application/zip", schema: "BinaryFile")
    }

    /// A success status with its body, if any.
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var content: Content?

        static func json(_ schema: String, _ status: HTTPResponse.Status = .ok) -> Answer {
            Answer(status: status, content: .json(schema))
        }
        static let noContent = Answer(status: .noContent, content: nil)
    }

    /// An error the route may answer, as an `APIError`: its status and its response in the components file.
    enum ErrorAnswer: String, Sendable {
        case badRequest = "BadRequest"
        case forbidden = "Forbidden"
        case notFound = "NotFound"
        case contentTooLarge = "ContentTooLarge"

        var status: HTTPResponse.Status {
            switch self {
            case .badRequest: .badRequest
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .contentTooLarge: .contentTooLarge
            }
        }
    }

    var method: HTTPRequest.Method
    var path: String
    var summary: String
    var tag: Tag
    /// Query and header parameters, by name in the components file.
    var parameters: [String]
    var body: [Content]
    var bodyRequired: Bool
    var answers: [Answer]
    var errors: [ErrorAnswer]
    var needsKey: Bool

    /// The path as OpenAPI writes it, as clients call it: `/api/projects/{project_id}/…/`. PostHog's
    /// routes end in a slash; a file (`openapi.json`) doesn't.
    var openAPIPath: String {
        let segments = path.split(separator: "/")
        let joined = segments.map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        return "/" + joined + (segments.last?.contains(".") == true ? "" : "/")
    }

    /// The names of the path's `:parameter`s.
    var pathParameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }
}
