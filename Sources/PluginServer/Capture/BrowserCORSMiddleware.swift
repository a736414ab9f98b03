import HTTPTypes
import Hummingbird

/// Cross-origin answers for the endpoints a web page calls through posthog-js (capture, `/s`, `/decide`,
/// `/flags`), as PostHog's capture answers them: the request's `Origin` is allowed, with credentials, since
/// posthog-js may send cookies along. Errors get the headers too, so the page can read why it was refused.
struct BrowserCORSMiddleware: RouterMiddleware {
    typealias Context = QuillRequestContext

    func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        var headers: HTTPFields = [
            .accessControlAllowOrigin: origin, .accessControlAllowCredentials: "true", .vary: "Origin",
        ]
        if request.method == .options {
            headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            // Echoed rather than listed: tracing libraries in the page add headers of their own to every request.
            headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "X-Requested-With, Content-Type"
            headers[.accessControlMaxAge] = "86400"
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers.append(contentsOf: headers)
        return response
    }
}
