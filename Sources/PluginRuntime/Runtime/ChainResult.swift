/// The outcome of one event's run through its team's chain.
public struct ChainResult: Sendable, Equatable {
    /// The event as JSON after the chain; `nil` when a plugin dropped it.
    public var event: [UInt8]?
    /// The config that dropped the event, as `name (id)`.
    public var droppedBy: String?
    public var succeeded: [String] = []
    public var failed: [String] = []
    public var deferred: [String] = []
    /// The configs that get the processed event afterwards, and how.
    public var followUps: [FollowUp] = []

    public init(
        event: [UInt8]? = nil, droppedBy: String? = nil, succeeded: [String] = [], failed: [String] = [],
        deferred: [String] = [], followUps: [FollowUp] = []
    ) {
        self.event = event
        self.droppedBy = droppedBy
        self.succeeded = succeeded
        self.failed = failed
        self.deferred = deferred
        self.followUps = followUps
    }
}

/// Work a config gets after the chain: `onEvent`, `onSnapshot`, or the event in its export buffer.
public struct FollowUp: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case onEvent
        case onSnapshot
        case exportEvents
        case composeWebhook
    }

    public var pluginConfigID: Int
    public var kind: Kind
}
