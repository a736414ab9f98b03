public import Foundation

/// A project's rule that posts a message to a chat or JSON webhook when an event matches it: PostHog's
/// action with "post to webhook" turned on.
public struct ActionWebhook: Sendable, Equatable {
    /// Where the message goes, which decides its payload's shape.
    public enum Service: String, Sendable, CaseIterable {
        case slack
        case discord
        case teams
        case json
    }

    /// What a person sets; the rest the store gives.
    public struct Settings: Sendable, Equatable {
        public var name: String
        public var enabled: Bool
        /// The event name it matches; `nil` matches every event.
        public var event: String?
        /// The property filters as a JSON array of `{key, value, operator}`; all must match.
        public var propertyFilters: String
        public var service: Service
        public var url: String
        /// PostHog's `slack_message_format`; empty for the default message.
        public var messageFormat: String

        public init(
            name: String, enabled: Bool, event: String?, propertyFilters: String, service: Service, url: String, messageFormat: String
        ) {
            self.name = name
            self.enabled = enabled
            self.event = event
            self.propertyFilters = propertyFilters
            self.service = service
            self.url = url
            self.messageFormat = messageFormat
        }
    }

    public var id: Int
    public var teamID: Int
    public var settings: Settings
    public var createdAt: Date

    public init(id: Int, teamID: Int, settings: Settings, createdAt: Date) {
        self.id = id
        self.teamID = teamID
        self.settings = settings
        self.createdAt = createdAt
    }
}

/// A REST hook subscription (Zapier's model): `target` gets each event named `event`, or, for
/// `action_performed`, each event that matches the action webhook `resourceID`.
public struct RestHook: Sendable, Equatable {
    public var id: Int
    public var teamID: Int
    public var target: String
    public var event: String
    public var resourceID: Int?
    public var createdAt: Date

    public init(id: Int, teamID: Int, target: String, event: String, resourceID: Int?, createdAt: Date) {
        self.id = id
        self.teamID = teamID
        self.target = target
        self.event = event
        self.resourceID = resourceID
        self.createdAt = createdAt
    }
}

/// A project's action webhooks and REST hook subscriptions.
public protocol HookStore: Sendable {
    /// The project's action webhooks, oldest first.
    func actionWebhooks(teamID: Int) async throws -> [ActionWebhook]
    func actionWebhook(id: Int, teamID: Int) async throws -> ActionWebhook?
    func createActionWebhook(teamID: Int, settings: ActionWebhook.Settings) async throws -> ActionWebhook
    /// `nil` when the project has no such webhook.
    func updateActionWebhook(id: Int, teamID: Int, settings: ActionWebhook.Settings) async throws -> ActionWebhook?
    /// Whether there was such a webhook. REST hooks on it go with it.
    func deleteActionWebhook(id: Int, teamID: Int) async throws -> Bool

    /// The project's REST hooks, oldest first.
    func restHooks(teamID: Int) async throws -> [RestHook]
    func restHook(id: Int, teamID: Int) async throws -> RestHook?
    func createRestHook(teamID: Int, target: String, event: String, resourceID: Int?) async throws -> RestHook
    /// Whether there was such a hook.
    func deleteRestHook(id: Int, teamID: Int) async throws -> Bool
}

/// Action webhook and REST hook deliveries share the durable work queue with plugin configs' work. Their
/// items' `pluginConfigID` is a lane of their own, below zero so it is never a plugin config's: each
/// webhook and hook gets its own concurrency, `Retry-After` pause and dead letters.
public enum HookLane: Sendable, Equatable {
    case actionWebhook(id: Int)
    case restHook(id: Int)

    /// REST hooks' lanes start below every action webhook's.
    private static let restHookOffset = 1 << 40

    public var workQueueID: Int {
        switch self {
        case .actionWebhook(let id): -id
        case .restHook(let id): -Self.restHookOffset - id
        }
    }

    /// The lane of a work item's `pluginConfigID`, when it is a hook's.
    public init?(workQueueID: Int) {
        guard workQueueID < 0 else { return nil }
        let id = -workQueueID
        self = id > Self.restHookOffset ? .restHook(id: id - Self.restHookOffset) : .actionWebhook(id: id)
    }
}
