import HTTPTypes
import Hummingbird

/// One route of the management API. The same table registers the routes and is checked against
/// the OpenAPI document, so the two can't drift apart.
struct ManagementRoute: Sendable {
    typealias Handler = @Sendable (Request, QuillRequestContext) async throws -> Response

    var method: HTTPRequest.Method
    /// The path with `:parameter`s, without a leading slash.
    var path: String
    var summary: String
    var handler: Handler

    init(_ method: HTTPRequest.Method, _ path: String, summary: String, handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.summary = summary
        self.handler = handler
    }

    /// The path as OpenAPI writes it: `/api/projects/{project_id}/…`.
    var openAPIPath: String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/") + "/"
    }

    static func register(_ routes: [ManagementRoute], on router: Router<QuillRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.path), method: route.method, use: route.handler)
        }
    }
}
