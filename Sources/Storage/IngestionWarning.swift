public import Foundation

/// Something ingestion had to correct in an event, for the project to see (PostHog's ingestion
/// warnings): the event was kept, with the correction.
public struct IngestionWarning: Sendable, Equatable {
    /// What kind of problem: `ignored_invalid_timestamp`, `event_timestamp_in_future`, …
    public var type: String
    /// What was wrong, as a JSON object (the event's uuid, the field, the value, the reason).
    public var details: String

    public init(type: String, details: String) {
        self.type = type
        self.details = details
    }
}

/// One kind of warning of a project within one hour: how many there were and the latest one's details.
public struct IngestionWarningSummary: Sendable, Equatable {
    public var type: String
    /// The start of the hour.
    public var hour: Date
    public var count: Int
    public var lastSeen: Date
    public var lastDetails: String

    public init(type: String, hour: Date, count: Int, lastSeen: Date, lastDetails: String) {
        self.type = type
        self.hour = hour
        self.count = count
        self.lastSeen = lastSeen
        self.lastDetails = lastDetails
    }
}
