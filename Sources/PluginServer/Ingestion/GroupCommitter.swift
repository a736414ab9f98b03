/// Commits items from many concurrent callers in shared transactions.
///
/// Each caller waits until its items are committed. While one commit runs, the next callers'
/// items gather and go in the following commit, so a durable (fsync'd) write serves many requests.
actor GroupCommitter<Item: Sendable> {
    private let commit: @Sendable ([Item]) async throws -> Void
    private var waiting: [(items: [Item], continuation: CheckedContinuation<Void, any Error>)] = []
    private var isCommitting = false

    init(commit: @escaping @Sendable ([Item]) async throws -> Void) {
        self.commit = commit
    }

    /// Returns once `items` are committed; throws if their commit failed.
    func submit(_ items: [Item]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiting.append((items, continuation))
            if !isCommitting {
                isCommitting = true
                Task { await self.commitWaiting() }
            }
        }
    }

    private func commitWaiting() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            do {
                try await commit(batch.flatMap(\.items))
                for waiter in batch { waiter.continuation.resume() }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
        isCommitting = false
    }
}
