import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Checks a request's personal API key (`Authorization: Bearer phx_…`) and resolves project ids.
///
/// Every management route asks it, so the scope of each kind of key is decided here: a user's key
/// reaches its organization; the key `posthog.api` gives a project's plugins only reads that project.
struct ManagementAuthenticator: Sendable {
    let projects: any ProjectStore
    /// The keys `posthog.api` gives plugins by default, which live only in memory.
    var pluginKeys: PluginAPIAccessService?

    /// Who a request's key acts for.
    struct Caller: Sendable {
        var organizationID: Int
        /// Set for a plugin's `posthog.api` key: the one project it may read.
        var pluginProjectID: Int?
    }

    /// The request's key. A plugin's key is refused here for anything but reading, whatever the route.
    func caller(of request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization] else { throw APIError.missingPersonalAPIKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.missingPersonalAPIKey }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        if let projectID = pluginKeys?.projectID(personalAPIKey: key) {
            guard request.method == .get else { throw APIError.pluginKeyIsReadOnly }
            guard let project = try await projects.project(id: projectID) else { throw APIError.invalidPersonalAPIKey }
            return Caller(organizationID: project.organizationID, pluginProjectID: project.id)
        }
        guard let organizationID = try await projects.organizationID(personalAPIKeyHash: APIKeys.hash(personalAPIKey: key))
        else { throw APIError.invalidPersonalAPIKey }
        return Caller(organizationID: organizationID)
    }

    /// The organization of the request's key, for organization-level routes, which a plugin's key
    /// may not use.
    func organizationID(of request: Request) async throws -> Int {
        let caller = try await caller(of: request)
        guard caller.pluginProjectID == nil else { throw APIError.pluginKeyIsReadOnly }
        return caller.organizationID
    }

    /// The project of the route's `:project_id`, if the request's key may see it.
    func project(of request: Request, _ context: QuillRequestContext) async throws -> Project {
        try await project(ManagementRequest.pathParameter(context, "project_id") ?? "", for: try await caller(of: request))
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

    /// The project named by a route's `:project_id`: its id or `@current` (a plugin key's project,
    /// else the organization's first). A project the key may not see is "not found", never revealed.
    private func project(_ parameter: String, for caller: Caller) async throws -> Project {
        if let own = caller.pluginProjectID {
            guard parameter == "@current" || parameter == String(own), let project = try await projects.project(id: own)
            else { throw APIError.notFound }
            return project
        }
        if parameter == "@current" {
            guard let first = try await projects.projects(organizationID: caller.organizationID).first else { throw APIError.notFound }
            return first
        }
        guard let id = Int(parameter), let project = try await projects.project(id: id), project.organizationID == caller.organizationID
        else { throw APIError.notFound }
        return project
    }
}
