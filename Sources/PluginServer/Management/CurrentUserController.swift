import Hummingbird
import OrderedJSON
import Storage

/// `GET /api/users/@me/`: what a personal API key may reach, so a client (the web UI) can offer its projects.
struct CurrentUserController: Sendable {
    let authenticator: ManagementAuthenticator

    var routes: [ManagementRoute] {
        // The organization's, which a plugin's key may not reach (403).
        [
            ManagementRoute(
                .get, "api/users/@me", summary: "The key's organization and its projects", tag: .users,
                answers: [.json("CurrentUser")], errors: [.forbidden], handler: show)
        ]
    }

    private func show(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let organizationID = try await authenticator.organizationID(of: request)
        let projects = try await authenticator.projects.projects(organizationID: organizationID).map { project -> JSONValue in
            ["id": JSONValue(project.id), "name": .string(project.name), "api_token": .string(project.apiToken)]
        }
        return Response.json([
            "organization": ["id": JSONValue(organizationID)],
            "projects": .array(projects),
        ])
    }
}
