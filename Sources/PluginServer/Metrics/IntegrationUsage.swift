import Foundation
import OrderedJSON
import Synchronization

/// Events by the integration they came through, per project, since the server started: the seed's "integration
/// usage". Capture counts PostHog SDKs by `$lib` and Segment's libraries; webhook and hook deliveries count
/// themselves through ``countDelivered(teamID:source:)``.
final class IntegrationUsage: Sendable {
    /// Where events came from or went.
    enum Source: String, Sendable {
        /// PostHog's capture API (`/e`, `/batch`, …), by the SDK's `$lib`.
        case posthog
        /// Segment's tracking API (`/v1/…`), by the library's `context.library.name`.
        case segment
        /// An action webhook delivered.
        case webhook
        /// A REST hook (Zapier's model) delivered.
        case restHook = "rest_hook"
    }

    struct Key: Hashable, Sendable {
        var teamID: Int
        var source: Source
        /// The client library, as sent (cut and cleaned), `other` past ``maximumLibraries``, `` for deliveries.
        var lib: String
    }

    /// `$lib` is whatever a client sends: past this many distinct values the rest count as `other`, so a hostile
    /// client can't grow memory or `/metrics` without bound.
    static let maximumLibraries = 100
    static let maximumLibraryLength = 40

    private let counts = Mutex<[Key: Int]>([:])

    func count(teamID: Int, source: Source, lib: String?, events: Int) {
        guard events > 0 else { return }
        let cleaned = lib.map(Self.clean) ?? "unknown"
        counts.withLock { counts in
            var key = Key(teamID: teamID, source: source, lib: cleaned.isEmpty ? "unknown" : cleaned)
            if counts[key] == nil, Set(counts.keys.map(\.lib)).count >= Self.maximumLibraries { key.lib = "other" }
            counts[key, default: 0] += events
        }
    }

    /// Counts one delivered webhook or hook (or `events` of them) of the project.
    func countDelivered(teamID: Int, source: Source, events: Int = 1) {
        count(teamID: teamID, source: source, lib: "", events: events)
    }

    /// The counts, of the given projects only when `teamIDs` is given.
    func snapshot(teamIDs: Set<Int>? = nil) -> [Key: Int] {
        counts.withLock { $0 }.filter { teamIDs?.contains($0.key.teamID) ?? true }
    }

    /// Events capture stored, counted by their `$lib`.
    func countCaptured(_ events: [JSONValue], teamID: Int, source: Source) {
        var byLib: [String: Int] = [:]
        for event in events { byLib[event["properties"]?["$lib"]?.stringValue ?? "unknown", default: 0] += 1 }
        for (lib, events) in byLib { count(teamID: teamID, source: source, lib: lib, events: events) }
    }

    private static func clean(_ lib: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in lib.lowercased().unicodeScalars where CharacterSet.libraryName.contains(scalar) {
            guard kept.count < maximumLibraryLength else { break }
            kept.append(scalar)
        }
        return String(kept)
    }
}

extension CharacterSet {
    /// What a `$lib` label keeps: letters, digits, `-`, `_`, `.` and `/`.
    fileprivate static let libraryName = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-_./")
}
