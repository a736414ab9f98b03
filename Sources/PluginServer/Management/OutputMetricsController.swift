import Foundation
import Hummingbird
import OrderedJSON
import Storage

/// `GET /api/organizations/:organization_id/output_metrics/`: the seed's output metrics for the organization:
/// plugins installed and in use across its projects, plugin-seconds per project (the last 30 days), and events
/// by integration since the server started. `/metrics` has the same, server-wide.
struct OutputMetricsController: Sendable {
    let authenticator: ManagementAuthenticator
    let adoption: any PluginStore
    let usage: PluginUsageRecorder
    let integrations: IntegrationUsage

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/organizations/:organization_id/output_metrics",
                summary: "Plugins installed and in use, plugin-seconds per project and events by integration",
                tag: .ingestion, answers: [.json("OutputMetrics")], errors: [.notFound], handler: show)
        ]
    }

    private func show(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let organizationID = try await authenticator.organizationID(of: request)
        let requested = context.parameters.get("organization_id")
        guard requested == "@current" || requested == String(organizationID) else { throw APIError.notFound }
        let projects = try await authenticator.projects.projects(organizationID: organizationID)
        let plugins = try await adoption.pluginAdoption(organizationID: organizationID).map { plugin -> JSONValue in
            [
                "name": .string(plugin.name), "installations": JSONValue(plugin.installations),
                "configured_projects": JSONValue(plugin.configuredProjects), "enabled_projects": JSONValue(plugin.enabledProjects),
            ]
        }
        let since = Date().addingTimeInterval(-30 * 86_400)
        var pluginSeconds: [JSONValue] = []
        for project in projects {
            let seconds = try await usage.usage(teamID: project.id, since: since).reduce(0) { $0 + $1.seconds }
            pluginSeconds.append(["project_id": JSONValue(project.id), "plugin_seconds": JSONValue(seconds)])
        }
        let integrationEvents = integrations.snapshot(teamIDs: Set(projects.map(\.id)))
            .sorted { ($0.key.teamID, $0.key.source.rawValue, $0.key.lib) < ($1.key.teamID, $1.key.source.rawValue, $1.key.lib) }
            .map { key, events -> JSONValue in
                [
                    "project_id": JSONValue(key.teamID), "source": .string(key.source.rawValue), "lib": .string(key.lib),
                    "events": JSONValue(events),
                ]
            }
        return Response.json([
            "plugins": .array(plugins), "plugin_seconds": .array(pluginSeconds), "integration_events": .array(integrationEvents),
        ])
    }
}
