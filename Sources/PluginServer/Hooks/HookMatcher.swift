import EventIngestion
import Foundation
import Logging
import OrderedJSON
import Storage
import Synchronization

/// Which action webhooks and REST hooks an event goes to once it is through the plugin chain.
///
/// A project's rules are read from the store at most every `maximumAge` (another server instance may
/// change them), and again at once after this instance's API changes them.
final class HookMatcher: Sendable {
    /// A project's rules, ready to match.
    struct Rules: Sendable {
        var webhooks: [(webhook: ActionWebhook, filters: [EventPropertyFilter])] = []
        var restHooks: [RestHook] = []

        var isEmpty: Bool { webhooks.isEmpty && restHooks.isEmpty }

        /// The deliveries an event (JSON, as the chain left it) causes: a message for each enabled action
        /// webhook it matches, and a delivery for each REST hook on its name or on a rule it matches.
        func work(for eventBytes: [UInt8]) -> [EventFinalizer.FollowUpWork] {
            guard !isEmpty, let event = (try? JSONValue.parse(eventBytes))?.objectValue else { return [] }
            let name = event["event"]?.stringValue ?? ""
            // Recording chunks are not events a person acts on, as PostHog's actions never match them.
            guard name != "$snapshot" else { return [] }
            let properties = event["properties"]?.objectValue ?? JSONObject()
            let matched = webhooks.filter { rule in
                (rule.webhook.settings.event.map { $0 == name } ?? true) && rule.filters.allSatisfy { $0.matches(properties) }
            }.map(\.webhook)
            let matchedIDs = Set(matched.map(\.id))
            let messages = matched.filter(\.settings.enabled).map {
                EventFinalizer.FollowUpWork(pluginConfigID: HookLane.actionWebhook(id: $0.id).workQueueID, kind: .actionWebhook)
            }
            let hooks = restHooks.filter { hook in
                if hook.event == RestHook.actionPerformed { return hook.resourceID.map(matchedIDs.contains) ?? false }
                return hook.event == name
            }.map { EventFinalizer.FollowUpWork(pluginConfigID: HookLane.restHook(id: $0.id).workQueueID, kind: .restHook) }
            return messages + hooks
        }
    }

    private let store: any HookStore
    private let logger: Logger
    private let maximumAge: Duration
    private let cache = Mutex<[Int: (read: ContinuousClock.Instant, rules: Rules)]>([:])

    init(store: any HookStore, logger: Logger, maximumAge: Duration = .seconds(5)) {
        self.store = store
        self.logger = logger
        self.maximumAge = maximumAge
    }

    func rules(teamID: Int) async -> Rules {
        let cached = cache.withLock { $0[teamID] }
        if let cached, ContinuousClock.now - cached.read < maximumAge { return cached.rules }
        do {
            let webhooks = try await store.actionWebhooks(teamID: teamID).map { webhook in
                // Stored filters were checked when they were saved.
                let filters = (try? JSONValue.parse(Array(webhook.settings.propertyFilters.utf8)))
                    .flatMap { try? EventPropertyFilter.list($0) } ?? []
                return (webhook: webhook, filters: filters)
            }
            let rules = Rules(webhooks: webhooks, restHooks: try await store.restHooks(teamID: teamID))
            cache.withLock { $0[teamID] = (.now, rules) }
            return rules
        } catch {
            logger.error("Could not read the project's webhooks and hooks", metadata: ["team.id": "\(teamID)", "error": "\(error)"])
            return cached?.rules ?? Rules()
        }
    }

    /// The project's rules changed: the next event reads them again.
    func forget(teamID: Int) {
        _ = cache.withLock { $0.removeValue(forKey: teamID) }
    }
}

extension RestHook {
    /// Zapier's event for "an action was performed": `resource_id` names the action webhook rule.
    static let actionPerformed = "action_performed"
}
