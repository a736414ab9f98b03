import Storage
import Synchronization

/// Counters of capture and ingestion since the server started, read by `/metrics`.
final class IngestionMetrics: Sendable {
    private struct Counts {
        /// Capture requests by HTTP status code.
        var requests: [Int: Int] = [:]
        /// Events found in capture requests.
        var received = 0
        /// Events written to the ingestion log (answered 2xx).
        var accepted = 0
        /// Events refused, by the reason's code (`invalid_event`, `invalid_api_key`, …).
        var rejected: [String: Int] = [:]
        /// Events that went through their chain, by what became of them (`stored`, `dropped`).
        var processed: [String: Int] = [:]
        /// Ingestion warnings, by type (`ignored_invalid_timestamp`, …).
        var warnings: [String: Int] = [:]
        /// Events moved to the quarantine: the process died twice while processing each.
        var quarantined = 0
    }

    private let counts = Mutex(Counts())

    func countRequest(status: Int) {
        counts.withLock { $0.requests[status, default: 0] += 1 }
    }

    func countReceived(_ events: Int) {
        counts.withLock { $0.received += events }
    }

    func countAccepted(_ events: Int) {
        counts.withLock { $0.accepted += events }
    }

    func countRejected(_ events: Int, reason: String) {
        guard events > 0 else { return }
        counts.withLock { $0.rejected[reason, default: 0] += events }
    }

    func countProcessed(_ outcomes: [IngestionOutcome]) {
        let dropped = outcomes.count { if case .dropped = $0.result { true } else { false } }
        counts.withLock { counts in
            counts.processed["stored", default: 0] += outcomes.count - dropped
            counts.processed["dropped", default: 0] += dropped
            for warning in outcomes.lazy.flatMap(\.warnings) { counts.warnings[warning.type, default: 0] += 1 }
        }
    }

    func countQuarantined(_ events: Int) {
        guard events > 0 else { return }
        counts.withLock { $0.quarantined += events }
    }

    /// Writes the counters in Prometheus' text format.
    func write(to exposition: inout PrometheusExposition) {
        let counts = counts.withLock { $0 }
        exposition.family(
            "quill_capture_requests_total", type: .counter, help: "Capture API requests by HTTP status code.",
            samples: counts.requests.sorted { $0.key < $1.key }.map { (["code": String($0.key)], Double($0.value)) })
        exposition.family(
            "quill_events_received_total", type: .counter, help: "Events found in capture requests.",
            samples: [([:], Double(counts.received))])
        exposition.family(
            "quill_events_accepted_total", type: .counter,
            help: "Events written durably to the ingestion log before the request was answered.",
            samples: [([:], Double(counts.accepted))])
        exposition.family(
            "quill_events_rejected_total", type: .counter, help: "Events refused by capture, by reason.",
            samples: counts.rejected.sorted { $0.key < $1.key }.map { (["reason": $0.key], Double($0.value)) })
        exposition.family(
            "quill_events_processed_total", type: .counter,
            help: "Events that went through their project's plugin chain, by outcome.",
            samples: ["stored", "dropped"].map { (["outcome": $0], Double(counts.processed[$0, default: 0])) })
        exposition.family(
            "quill_ingestion_warnings_total", type: .counter,
            help: "Corrections ingestion made to events it kept (an unreadable or impossible timestamp, …), by type.",
            samples: counts.warnings.sorted { $0.key < $1.key }.map { (["type": $0.key], Double($0.value)) })
        exposition.family(
            "quill_events_quarantined_total", type: .counter,
            help: "Events moved to the quarantine since the start: the process died twice while processing each.",
            samples: [([:], Double(counts.quarantined))])
    }
}
