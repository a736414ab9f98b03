import Hummingbird
import OrderedJSON
import Storage

/// `GET/PATCH /api/projects/:project_id/`: a project and the setting Quill lets a key change, under PostHog's
/// name: `session_recording_opt_in`, which `/decide` and `/flags` pass on to posthog-js.
struct ProjectsController: Sendable {
    let authenticator: ManagementAuthenticator

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/projects/:project_id", summary: "A project and its settings", tag: .projects,
                answers: [.json("Project")], errors: [.notFound], handler: show),
            ManagementRoute(
                .patch, "api/projects/:project_id", summary: "Turn session recordings on or off (session_recording_opt_in)",
                tag: .projects, body: [.json("ProjectUpdate")], bodyRequired: true, answers: [.json("Project")],
                errors: [.badRequest, .notFound], handler: update),
        ]
    }

    private func show(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        Response.json(Self.json(of: try await authenticator.project(of: request, context)))
    }

    private func update(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let body = try await ManagementRequest.jsonObject(request)
        var optIn = project.sessionRecordingOptIn
        for (field, value) in body {
            guard field == "session_recording_opt_in" else {
                throw APIError.invalidInput("'\(field)' can't be changed here; only session_recording_opt_in can.", attribute: field)
            }
            guard let bool = value.boolValue else {
                throw APIError.invalidInput("'session_recording_opt_in' must be true or false.", attribute: field)
            }
            optIn = bool
        }
        guard let changed = try await authenticator.projects.setSessionRecordingOptIn(optIn, projectID: project.id) else {
            throw APIError.notFound
        }
        return Response.json(Self.json(of: changed))
    }

    static func json(of project: Project) -> JSONValue {
        [
            "id": JSONValue(project.id), "organization": JSONValue(project.organizationID), "name": .string(project.name),
            "api_token": .string(project.apiToken), "anonymize_ips": JSONValue(project.anonymizeIPs),
            "session_recording_opt_in": JSONValue(project.sessionRecordingOptIn),
        ]
    }
}
