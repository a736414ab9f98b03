import EventIngestion
import Foundation
import Hummingbird
import OrderedJSON
import Storage

/// `/decide` and `/flags`: what posthog-js asks on load for its configuration and feature flags, and server
/// SDKs for flags. Quill has no feature flags, so it answers none, in the shape the asked version (`?v=`)
/// expects, and tells posthog-js to record sessions (to `/s/`) when the project has recordings on.
///
/// The body is read as capture reads one (JSON, a form's `data`, base64, gzip, lz64), and so is the token.
struct DecideController: Sendable {
    let projects: any ProjectStore
    let maximumBodySize: Int

    enum Endpoint: String, CaseIterable, Sendable {
        case decide, flags
    }

    /// Adds the routes to `router`, which answers browsers' cross-origin requests (``BrowserCORSMiddleware``).
    func addRoutes(to router: some RouterMethods<QuillRequestContext>) {
        for endpoint in Endpoint.allCases {
            let path = RouterPath(endpoint.rawValue)
            router.get(path) { request, _ in try await answer(request, endpoint: endpoint) }
            router.post(path) { request, _ in try await answer(request, endpoint: endpoint) }
            router.on(path, method: .options) { _, _ in Response(status: .noContent) }
        }
    }

    private func answer(_ request: Request, endpoint: Endpoint) async throws -> Response {
        let captureRequest = try await CaptureRequest.read(request, limit: maximumBodySize)
        var version = 1
        if let text = captureRequest.query["v"], !text.isEmpty {
            guard let number = Int(text), number >= 0 else {
                throw APIError.invalidInput("'v' must be the whole number of an API version, like 3.", attribute: "v")
            }
            version = number
        }
        let batch: CaptureBatch
        do {
            let payload = try CapturePayloadDecoder.decode(captureRequest, maximumSize: maximumBodySize, emptyAllowed: true)
            batch = try CaptureBatch(payload: payload, query: captureRequest.query)
        } catch {
            throw APIError(error)
        }
        let project = try await projects.project(of: batch)
        let withConfig = endpoint == .decide || captureRequest.query["config"] == "true"
        return Response.json(Self.answer(for: project, endpoint: endpoint, version: version, withConfig: withConfig))
    }

    /// The answer for `project`: no feature flags, and with `withConfig` what posthog-js should do.
    static func answer(for project: Project, endpoint: Endpoint, version: Int, withConfig: Bool) -> JSONValue {
        var answer = JSONObject()
        switch (endpoint, version) {
        case (.decide, ...1):
            // The first version listed the keys of the enabled flags.
            answer["featureFlags"] = []
        case (.decide, 2...3), (.flags, ...1):
            answer["featureFlags"] = .object(JSONObject())
            answer["featureFlagPayloads"] = .object(JSONObject())
            answer["errorsWhileComputingFlags"] = false
        default:
            // `/decide?v=4` and `/flags?v=2` on: each flag with its details.
            answer["flags"] = .object(JSONObject())
            answer["errorsWhileComputingFlags"] = false
            answer["requestId"] = .string(UUID().uuidString.lowercased())
        }
        guard withConfig else { return .object(answer) }
        answer["config"] = ["enable_collect_everything": true]
        answer["toolbarParams"] = .object(JSONObject())
        answer["isAuthenticated"] = false
        answer["supportedCompression"] = ["gzip", "gzip-js", "lz64"]
        answer["siteApps"] = []
        answer["capturePerformance"] = false
        answer["autocapture_opt_out"] = false
        answer["autocaptureExceptions"] = false
        answer["analytics"] = ["endpoint": "/i/v0/e/"]
        answer["heatmaps"] = false
        answer["surveys"] = false
        answer["sessionRecording"] = project.sessionRecordingOptIn ? recordingConfig : false
        return .object(answer)
    }

    /// What PostHog answers a project that records every session, with none of its optional recording settings.
    private static let recordingConfig: JSONValue = [
        "endpoint": "/s/", "consoleLogRecordingEnabled": true, "recorderVersion": "v2", "sampleRate": .null,
        "minimumDurationMilliseconds": .null, "linkedFlag": .null, "networkPayloadCapture": .null, "urlTriggers": [],
        "urlBlocklist": [], "eventTriggers": [], "scriptConfig": .null,
    ]
}
