/// A project (PostHog's "team"): it owns a capture token, plugin configs and events.
public struct Project: Sendable, Equatable {
    public var id: Int
    public var organizationID: Int
    public var name: String
    /// The public token clients send events with (`phc_…`).
    public var apiToken: String
    /// Whether capture drops the client's IP address.
    public var anonymizeIPs: Bool
    /// Whether `/decide` and `/flags` tell posthog-js to record sessions (PostHog's `session_recording_opt_in`).
    public var sessionRecordingOptIn: Bool

    public init(
        id: Int, organizationID: Int, name: String, apiToken: String, anonymizeIPs: Bool = false,
        sessionRecordingOptIn: Bool = false
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.apiToken = apiToken
        self.anonymizeIPs = anonymizeIPs
        self.sessionRecordingOptIn = sessionRecordingOptIn
    }
}

/// Organizations, projects and personal API keys.
public protocol ProjectStore: Sendable {
    /// Creates the default organization and project unless an organization exists.
    ///
    /// - Returns: the new project, or `nil` when the database was set up already.
    func bootstrap(projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String) async throws -> Project?
    /// Creates an organization with one project and one personal API key; returns the project.
    func createOrganization(
        name: String, projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String
    ) async throws -> Project
    func project(apiToken: String) async throws -> Project?
    func project(id: Int) async throws -> Project?
    /// The organization's projects, oldest first.
    func projects(organizationID: Int) async throws -> [Project]
    /// The organization a personal API key (by its hash) belongs to.
    func organizationID(personalAPIKeyHash: String) async throws -> Int?
    /// Turns session recordings on or off for a project; returns it changed, `nil` when there is no such project.
    func setSessionRecordingOptIn(_ optIn: Bool, projectID: Int) async throws -> Project?
}
