import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Checks a request's personal API key (`Authorization: Bearer phx_…`) and resolves project ids.
struct ManagementAuthenticator: Sendable {
    let projects: any ProjectStore
    /// The keys `posthog.api` gives plugins by default, which live only in memory.
    var pluginKeys: PluginAPIAccessService?

    /// The organization the request's personal API key belongs to.
    func organizationID(of request: Request) async throws -> Int {
        guard let header = request.headers[.authorization] else { throw APIError.missingPersonalAPIKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.missingPersonalAPIKey }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        if let organizationID = pluginKeys?.organizationID(personalAPIKey: key) { return organizationID }
        guard let organizationID = try await projects.organizationID(personalAPIKeyHash: APIKeys.hash(personalAPIKey: key))
        else { throw APIError.invalidPersonalAPIKey }
        return organizationID
    }

    /// The project of the route's `:project_id`, if the request's key may see it.
    func project(of request: Request, _ context: QuillRequestContext) async throws -> Project {
        try await project(context.parameters.get("project_id") ?? "", organizationID: try await organizationID(of: request))
    }

    /// The config of the route's `:config_id` with its plugin, if it belongs to the route's project
    /// and the request's key may see that.
    func pluginConfig(
        of request: Request, _ context: QuillRequestContext, in store: any PluginStore
    ) async throws -> (config: PluginConfigRecord, plugin: PluginRecord) {
        let project = try await project(of: request, context)
        guard let config = try await store.pluginConfig(id: try ManagementRequest.id(context, "config_id")),
            config.teamID == project.id, let plugin = try await store.plugin(id: config.pluginID)
        else { throw APIError.notFound }
        return (config, plugin)
    }

    /// The project named by a route's `:project_id`: its id or `@current` (the organization's first
    /// project). Another organization's project is "not found", never revealed.
    func project(_ parameter: String, organizationID: Int) async throws -> Project {
        if parameter == "@current" {
            guard let first = try await projects.projects(organizationID: organizationID).first else { throw APIError.notFound }
            return first
        }
        guard let id = Int(parameter), let project = try await projects.project(id: id), project.organizationID == organizationID
        else { throw APIError.notFound }
        return project
    }
}
