import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// How many accepted events wait in the durable log, kept without asking the database on every request:
/// appends add, commits take away, and the database's count corrects the figure every few seconds.
///
/// Past `limit` capture answers 503 with `Retry-After` (PostHog's SDKs retry), so the log stays a buffer
/// rather than a place where work piles up unseen.
final class IngestionBacklog: Service, Sendable {
    /// `QUILL_MAX_BACKLOG`: the most events the log may hold before capture refuses new ones.
    let limit: Int
    /// What capture tells a refused client to wait, in seconds.
    static let retryAfterSeconds = 5
    private let store: any IngestionStore
    private let logger: Logger
    private let count = Atomic<Int>(0)

    init(store: any IngestionStore, limit: Int, logger: Logger) {
        self.store = store
        self.limit = limit
        self.logger = logger
    }

    var events: Int { count.load(ordering: .relaxed) }
    var isFull: Bool { events >= limit }

    func added(_ events: Int) {
        count.add(events, ordering: .relaxed)
    }

    func removed(_ events: Int) {
        count.subtract(events, ordering: .relaxed)
    }

    /// Corrects the count from the database every 5 s (and first thing), until the server stops.
    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                count.store(try await store.pendingCount(), ordering: .relaxed)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("Could not count the ingestion log", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(5)) }
        }
    }
}
