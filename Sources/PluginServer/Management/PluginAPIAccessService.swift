import Foundation
import PluginRuntime
import Storage
import Synchronization

/// `posthog.api`'s defaults: this server's own address and, per project, a personal API key that
/// lives only in this process's memory (PostHog makes a bot user's key instead).
///
/// Such a key may do what PostHog's plugin keys could: read its own project, nothing else
/// (``ManagementAuthenticator`` holds it to that). The keys are never stored: a restart makes new
/// ones, and nothing is left behind in the database.
final class PluginAPIAccessService: PluginAPIAccess {
    private struct State {
        var serverURL: URL?
        var keys: [Int: String] = [:]
        /// Projects by their key's hash, so looking a key up compares no secret text.
        var projectsByKeyHash: [String: Int] = [:]
    }

    private let projects: any ProjectStore
    private let state = Mutex(State())

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
            if let key = state.keys[project.id] { return key }
            let key = APIKeys.makePersonalAPIKey()
            state.keys[project.id] = key
            state.projectsByKeyHash[APIKeys.hash(personalAPIKey: key)] = project.id
            return key
        }
        return (project.apiToken, key)
    }

    /// The project whose plugins were given `key`, if it is one of this process's keys.
    func projectID(personalAPIKey key: String) -> Int? {
        let hash = APIKeys.hash(personalAPIKey: key)
        return state.withLock { $0.projectsByKeyHash[hash] }
    }
}

struct PluginAPIAccessError: Error, CustomStringConvertible {
    var description: String
}
