import Foundation
import QuillTestSupport
import Storage
import Testing

/// Instances sharing one PostgreSQL database take turns on each team's log and see each other's config changes.
@Suite struct SharedInstanceTests {
    @Test func aTeamsLogIsLeasedToOneInstanceAndAnOldHoldersCommitIsRefused() async throws {
        let first = try await BackendKind.postgres.open()
        let second = try await BackendKind.postgres.instance(on: first)
        let a = first.storage.ingestion
        let b = second.ingestion
        let leaseA = try #require(try await a.claimTeam(1, holder: "a", for: .seconds(30)))
        #expect(try await b.claimTeam(1, holder: "b", for: .seconds(30)) == nil, "held by a")
        #expect(try await b.claimTeam(2, holder: "b", for: .seconds(30)) != nil, "another team is free")
        #expect(try await a.claimTeam(1, holder: "a", for: .seconds(30)) == leaseA, "a renewal keeps the token")

        let sequences = try await a.append([IngestionStoreTests.record("x"), IngestionStoreTests.record("y")])
        try await a.releaseTeam(leaseA)
        let leaseB = try #require(try await b.claimTeam(1, holder: "b", for: .seconds(30)))
        #expect(leaseB.token > leaseA.token, "a new holder gets a greater token")

        // a processed x under its old lease and commits late: refused, x stays in the log for b.
        var late = IngestionStoreTests.stored(IngestionStoreTests.record("x"), sequence: sequences[0], timestamp: "2026-12-01T00:00:00.000Z")
        late.lease = leaseA
        try await a.commit([late])
        #expect(try await a.pendingEvents(teamID: 1, after: 0, limit: 10).map(\.uuid) == ["x", "y"])
        var current = IngestionStoreTests.stored(IngestionStoreTests.record("y"), sequence: sequences[1], timestamp: "2026-12-01T00:00:01.000Z")
        current.lease = leaseB
        try await b.commit([current])
        #expect(try await a.pendingEvents(teamID: 1, after: 0, limit: 10).map(\.uuid) == ["x"])
        #expect(try await a.events(EventQuery(teamID: 1)).map(\.event.uuid) == ["y"])

        // A lease that runs out is taken by the next instance to ask.
        let short = try #require(try await a.claimTeam(3, holder: "a", for: .milliseconds(100)))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await b.claimTeam(3, holder: "b", for: .seconds(30)).map(\.token) == short.token + 1)
        await second.close()
    }

    @Test func configChangesAreSeenByTheOtherInstancesOnly() async throws {
        let first = try await BackendKind.postgres.open()
        let second = try await BackendKind.postgres.instance(on: first)
        let project = try #require(
            try await first.storage.projects.bootstrap(projectAPIToken: "phc", personalAPIKeyHash: "h", personalAPIKeyMask: "m"))
        let plugins = first.storage.plugins
        let pluginID = try await plugins.install(
            PluginContents(pluginType: "source", name: "P", configSchema: "[]", transpiledCode: "1"), organizationID: project.organizationID)
        let configID = try await plugins.createPluginConfig(teamID: project.id, pluginID: pluginID, order: 0, config: [:], enabled: true)
        try await plugins.updatePluginConfig(id: configID, enabled: false, order: nil, config: nil)
        #expect(try await plugins.recentConfigChangesByOtherInstances().isEmpty, "its own changes")
        let seen = try await second.plugins.recentConfigChangesByOtherInstances()
        #expect(seen.map(\.pluginConfigID) == [configID, configID] && seen.allSatisfy { $0.teamID == project.id })

        var code = PluginContents(pluginType: "source", name: "P", configSchema: "[]", transpiledCode: "2")
        code.files = [:]
        try await second.plugins.update(pluginID: pluginID, with: code)
        try await second.plugins.deletePluginConfig(id: configID)
        let fromSecond = try await plugins.recentConfigChangesByOtherInstances()
        #expect(fromSecond.map(\.pluginConfigID) == [configID, configID], "new code, then the deletion")
        await second.close()
    }
}
