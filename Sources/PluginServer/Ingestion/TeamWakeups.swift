/// Tells each team's ingestion loop that its log has new events, and the pipeline that a team
/// it hasn't seen yet has some.
actor TeamWakeups {
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var pending: Set<Int> = []
    private var known: Set<Int> = []
    private var isClosed = false
    private let newTeamsContinuation: AsyncStream<Int>.Continuation
    /// Teams that got events and have no loop yet.
    nonisolated let newTeams: AsyncStream<Int>

    init() {
        (newTeams, newTeamsContinuation) = AsyncStream.makeStream(of: Int.self)
    }

    /// Marks a team as having a loop.
    func register(_ teamID: Int) {
        known.insert(teamID)
    }

    func notify(teams: some Sequence<Int>) {
        for team in Set(teams) {
            if let waiter = waiters.removeValue(forKey: team) {
                waiter.resume()
            } else {
                pending.insert(team)
            }
            if !known.contains(team) {
                known.insert(team)
                newTeamsContinuation.yield(team)
            }
        }
    }

    /// Returns when the team has new events, or at once when shutting down.
    func wait(for teamID: Int) async {
        if isClosed || pending.remove(teamID) != nil { return }
        await withCheckedContinuation { waiters[teamID] = $0 }
    }

    var closed: Bool { isClosed }

    /// Wakes every loop so it can finish, and ends the stream of new teams.
    func close() {
        isClosed = true
        for waiter in waiters.values { waiter.resume() }
        waiters = [:]
        newTeamsContinuation.finish()
    }
}
