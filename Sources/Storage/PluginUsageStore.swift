public import Foundation

/// Time spent inside one plugin config's code in one hour: the seeds' plugin-seconds, for billing.
public struct PluginUsage: Sendable, Equatable {
    public var teamID: Int
    public var pluginConfigID: Int
    /// The start of the hour (UTC).
    public var hour: Date
    public var seconds: Double
    /// Calls of the plugin's functions.
    public var calls: Int

    public init(teamID: Int, pluginConfigID: Int, hour: Date, seconds: Double, calls: Int) {
        self.teamID = teamID
        self.pluginConfigID = pluginConfigID
        self.hour = hour
        self.seconds = seconds
        self.calls = calls
    }
}

/// Plugin-seconds per project, config and hour, added up durably.
public protocol PluginUsageStore: Sendable {
    /// Adds each entry's seconds and calls to its team's, config's and hour's totals, in one transaction.
    func add(_ usage: [PluginUsage]) async throws
    /// The team's usage from `since` on, oldest hour first.
    func usage(teamID: Int, since: Date) async throws -> [PluginUsage]
}
