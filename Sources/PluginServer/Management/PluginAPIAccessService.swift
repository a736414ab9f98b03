import Foundation
import PluginRuntime
import Storage
import Synchronization

/// `posthog.api`'s defaults: this server's own address and, per organization, a personal API key
/// that lives only in this process's memory (PostHog makes a bot user's key instead).
///
/// The keys are never stored: a restart makes new ones, and nothing is left behind in the database.
final class PluginAPIAccessService: PluginAPIAccess {
    private let projects: any ProjectStore
    private let state = Mutex<(serverURL: URL?, keys: [Int: String])>((nil, [:]))

    init(projects: any ProjectStore) {
        self.projects = projects
    }

    var serverURL: URL? { state.withLock { $0.serverURL } }

    /// Records where the server listens; a wildcard address is reached on loopback.
    func serverStarted(host: String, port: Int) {
        let reachable = ["0.0.0.0", "::", "[::]", ""].contains(host) ? "127.0.0.1" : host
        let bracketed = reachable.contains(":") && !reachable.hasPrefix("[") ? "[\(reachable)]" : reachable
        state.withLock { $0.serverURL = URL(string: "http://\(bracketed):\(port)") }
    }

    func credentials(teamID: Int) async throws -> (projectAPIKey: String, personalAPIKey: String) {
        guard let project = try await projects.project(id: teamID) else {
            throw PluginAPIAccessError(description: "posthog.api: project \(teamID) no longer exists")
        }
        let key = state.withLock { state in
            if let key = state.keys[project.organizationID] { return key }
            let key = APIKeys.makePersonalAPIKey()
            state.keys[project.organizationID] = key
            return key
        }
        return (project.apiToken, key)
    }

    /// The organization whose plugins were given `key`, if it is one of this process's keys.
    func organizationID(personalAPIKey key: String) -> Int? {
        state.withLock { state in state.keys.first { $0.value == key }?.key }
    }
}

struct PluginAPIAccessError: Error, CustomStringConvertible {
    var description: String
}
