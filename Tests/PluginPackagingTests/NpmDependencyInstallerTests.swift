import Foundation
import PluginPackaging
import QuillTestSupport
import Synchronization
import Testing

/// Resolving a plugin's package.json dependencies against an npm registry in npm's layout, answered in memory.
@Suite struct NpmDependencyInstallerTests {
    static func installer(_ registry: FakeNpmRegistry, skipping skipped: Set<String> = []) -> NpmDependencyInstaller {
        NpmDependencyInstaller(
            registryURL: registry.baseURL, isSkipped: { skipped.contains($0) }, fetch: { url, _ in registry.response(to: url) })
    }

    static func plugin(dependencies: String, extra: [String: String] = [:]) -> [String: Data] {
        var files = ["package.json": #"{"name": "p", "dependencies": \#(dependencies)}"#, "index.js": "module.exports = {}"]
        files.merge(extra) { _, new in new }
        return files.mapValues { Data($0.utf8) }
    }

    /// The text at `path` among what would be compiled: `pluginFiles` with the installation.
    static func text(_ installation: NpmDependencyInstaller.Installation?, _ path: String, over pluginFiles: [String: Data] = [:]) -> String? {
        installation?.files(over: pluginFiles)[path].map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func picksVersionsLikeNpmAndNestsConflictingOnes() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("left", "1.0.0", dependencies: ["shared": "^1.0.0"])
        registry.publish("left", "1.4.0", files: ["index.js": "left 1.4"], dependencies: ["shared": "^1.0.0"])
        registry.publish("left", "2.0.0-beta.1", dependencies: ["shared": "^1.0.0"])
        registry.publish("right", "3.1.0", dependencies: ["shared": "~2.0.0", "left": "^1.0.0"])
        registry.publish("shared", "1.2.0", files: ["index.js": "shared 1.2"])
        registry.publish("shared", "2.0.5", files: ["index.js": "shared 2.0.5"])
        registry.publish("shared", "2.1.0")
        registry.publish("@scope/tagged", "1.0.0")
        registry.publish("@scope/tagged", "0.9.0")
        registry.tag("@scope/tagged", "latest", "1.0.0")
        registry.publish("pg", "8.0.0")
        let installation = try #require(
            try await Self.installer(registry, skipping: ["pg"]).install(
                for: Self.plugin(dependencies: #"{"left": "^1.0.0", "right": "3.x", "@scope/tagged": "latest", "pg": "^8"}"#)))

        #expect(Self.text(installation, "node_modules/left/index.js") == "left 1.4", "the highest non-prerelease of ^1.0.0")
        #expect(Self.text(installation, "node_modules/shared/index.js") == "shared 1.2", "hoisted: the first version needed")
        #expect(
            Self.text(installation, "node_modules/right/node_modules/shared/index.js") == "shared 2.0.5",
            "nested under the dependent that needs the other version")
        #expect(installation.packageFiles["node_modules/@scope/tagged/package.json"] != nil)
        #expect(installation.packageFiles["node_modules/pg/package.json"] == nil, "a module the runtime provides is not installed")
        #expect(!registry.requests.contains("/pg"))

        let lock = try #require(NpmLock(installation.lock.serialized))
        #expect(lock == installation.lock, "the lock reads back as written")
        let lockText = String(decoding: installation.lock.serialized, as: UTF8.self)
        #expect(lockText.contains(#""node_modules/right/node_modules/shared""#) && lockText.contains(#""lockfileVersion" : 3"#))
        #expect(lockText.contains("sha512-"))
    }

    @Test func aRegistryTooSlowForTheTimeLimitFailsTheInstallation() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("slow", "1.0.0", dependencies: ["slower": "^1.0.0"])
        registry.publish("slower", "1.0.0")
        let installer = NpmDependencyInstaller(registryURL: registry.baseURL, isSkipped: { _ in false }, timeLimit: .milliseconds(100)) {
            url, _ in
            try await Task.sleep(for: .milliseconds(150))
            return registry.response(to: url)
        }
        await #expect {
            _ = try await installer.install(for: Self.plugin(dependencies: #"{"slow": "^1.0.0"}"#))
        } throws: { error in
            "\(error)".contains("took longer than 0.1 seconds; the registry answers too slowly")
        }
        #expect(registry.requests.count == 1, "no download starts past the time limit")
    }

    @Test func aLockThatStillFitsIsInstalledWithoutAskingForVersions() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("left", "1.0.0", files: ["index.js": "one"], dependencies: ["cycle": "*"])
        registry.publish("cycle", "1.0.0", dependencies: ["left": "^1.0.0"])
        let files = Self.plugin(dependencies: #"{"left": "^1.0.0"}"#)
        let first = try #require(try await Self.installer(registry).install(for: files))
        #expect(!first.usedLock)
        #expect(first.packageFiles["node_modules/cycle/package.json"] != nil, "a cycle ends at the package already there")

        // A newer version appears; the lock keeps the installed one, and asks for no packument.
        registry.publish("left", "1.1.0", files: ["index.js": "two"])
        let requestsBefore = registry.requests.count
        var locked = files
        locked[NpmLock.fileName] = first.lock.serialized
        let second = try #require(try await Self.installer(registry).install(for: locked))
        #expect(second.usedLock)
        #expect(Self.text(second, "node_modules/left/index.js") == "one")
        #expect(registry.requests.dropFirst(requestsBefore).allSatisfy { $0.contains("/-/") }, "\(registry.requests)")

        // package.json now wants what the lock doesn't have: resolved again.
        var changed = Self.plugin(dependencies: #"{"left": "^1.1.0"}"#)
        changed[NpmLock.fileName] = first.lock.serialized
        let third = try #require(try await Self.installer(registry).install(for: changed))
        #expect(!third.usedLock)
        #expect(Self.text(third, "node_modules/left/index.js") == "two")
    }

    @Test func anAliasInstallsAnotherPackageUnderItsName() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("left", "1.0.0", files: ["index.js": "left one"])
        registry.publish("left", "2.0.0", files: ["index.js": "left two"])
        let files = Self.plugin(dependencies: #"{"left": "^2.0.0", "old-left": "npm:left@^1.0.0"}"#)
        let first = try #require(try await Self.installer(registry).install(for: files))
        #expect(Self.text(first, "node_modules/left/index.js") == "left two")
        #expect(Self.text(first, "node_modules/old-left/index.js") == "left one")
        #expect(!registry.requests.contains("/old-left"))
        #expect(String(decoding: first.lock.serialized, as: UTF8.self).contains(#""name" : "left""#))

        var locked = files
        locked[NpmLock.fileName] = first.lock.serialized
        let second = try #require(try await Self.installer(registry).install(for: locked))
        #expect(second.usedLock)
        #expect(Self.text(second, "node_modules/old-left/index.js") == "left one")
    }

    @Test func aLockPointingAwayFromTheRegistryIsNotFollowed() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("left", "1.0.0")
        let files = Self.plugin(dependencies: #"{"left": "^1.0.0"}"#)
        let first = try #require(try await Self.installer(registry).install(for: files))
        var hostile = files
        let lockText = String(decoding: first.lock.serialized, as: UTF8.self)
        hostile[NpmLock.fileName] = Data(lockText.replacingOccurrences(of: registry.baseURL, with: "http://169.254.169.254").utf8)
        let again = try #require(try await Self.installer(registry).install(for: hostile))
        #expect(!again.usedLock)
        #expect(!registry.requests.contains { $0.contains("169.254") })
    }

    @Test func aShippedPackageThatFitsIsKept() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("left", "1.0.0", files: ["index.js": "from the registry"])
        let shipped = Self.plugin(
            dependencies: #"{"left": "^1.0.0"}"#,
            extra: ["node_modules/left/package.json": #"{"name": "left", "version": "1.0.3"}"#, "node_modules/left/index.js": "shipped"])
        let kept = try await Self.installer(registry).install(for: shipped)
        #expect(kept?.installedPackages == false)
        #expect(Self.text(kept, "node_modules/left/index.js", over: shipped) == "shipped")
        #expect(registry.requests.isEmpty)

        let outdated = Self.plugin(
            dependencies: #"{"left": "^1.0.0"}"#,
            extra: ["node_modules/left/package.json": #"{"name": "left", "version": "0.5.0"}"#, "node_modules/left/old.js": "old"])
        let replaced = try await Self.installer(registry).install(for: outdated)
        #expect(Self.text(replaced, "node_modules/left/index.js", over: outdated) == "from the registry")
        #expect(Self.text(replaced, "node_modules/left/old.js", over: outdated) == nil, "not mixed with the shipped copy")
        #expect(Self.text(replaced, "index.js", over: outdated) != nil, "the plugin's own files are kept")
    }

    @Test func refusalsSayWhatIsWrong() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("left", "1.0.0")
        registry.publish("tampered", "1.0.0", integrity: "sha512-" + Data(repeating: 7, count: 64).base64EncodedString())
        registry.publish("needs-missing", "1.0.0", dependencies: ["ghost": "^1"])
        registry.publish("has-optional", "1.0.0", optionalDependencies: ["ghost": "^1"])
        func error(_ dependencies: String) async -> String? {
            do {
                _ = try await Self.installer(registry).install(for: Self.plugin(dependencies: dependencies))
                return nil
            } catch {
                return error.description
            }
        }
        let git = await error(#"{"left": "git+https://github.com/acme/left.git"}"#)
        #expect(git?.contains("'left'") == true && git?.contains("only from the npm registry") == true, "\(git ?? "")")
        let unknown = await error(#"{"ghost": "^1.0.0"}"#)
        #expect(unknown?.contains("'ghost'") == true && unknown?.contains("404") == true, "\(unknown ?? "")")
        let nested = await error(#"{"needs-missing": "1"}"#)
        #expect(nested?.contains("needs-missing@1.0.0") == true, "\(nested ?? "")")
        let noMatch = await error(#"{"left": "^2.0.0"}"#)
        #expect(noMatch?.contains("the newest there is 1.0.0") == true, "\(noMatch ?? "")")
        let mismatch = await error(#"{"tampered": "1.0.0"}"#)
        #expect(mismatch?.contains("does not match its integrity") == true, "\(mismatch ?? "")")
        let badName = await error(#"{"../escape": "1.0.0"}"#)
        #expect(badName?.contains("not an npm package name") == true, "\(badName ?? "")")
        #expect(await error(#"{"has-optional": "1"}"#) == nil, "an optional dependency that fails is left out")

        let unreachable = NpmDependencyInstaller(
            registryURL: "http://127.0.0.1:9/registry", isSkipped: { _ in false },
            fetch: { _, _ in throw CocoaError(.fileReadUnknown) })
        do {
            _ = try await unreachable.install(for: Self.plugin(dependencies: #"{"left": "1"}"#))
            Issue.record("installed from an unreachable registry")
        } catch {
            #expect(error.description.contains("http://127.0.0.1:9/registry"), "\(error)")
        }
    }

    @Test func moreThanTheMostPackagesIsRefused() async throws {
        let registry = FakeNpmRegistry()
        let count = NpmDependencyInstaller.maximumPackageCount + 1
        // A chain, so the limit is met while resolving, not by package.json alone.
        for index in 0..<count {
            registry.publish("p\(index)", "1.0.0", dependencies: index + 1 < count ? ["p\(index + 1)": "1"] : [:])
        }
        do {
            _ = try await Self.installer(registry).install(for: Self.plugin(dependencies: #"{"p0": "1"}"#))
            Issue.record("installed more than the most packages")
        } catch {
            #expect(error.description.contains("more than \(NpmDependencyInstaller.maximumPackageCount) packages"), "\(error)")
        }
        #expect(registry.packumentRequests == NpmDependencyInstaller.maximumPackageCount)
    }

    @Test func tarballsFullOfFilesAreBounded() async throws {
        let registry = FakeNpmRegistry()
        let files = Dictionary(uniqueKeysWithValues: (0..<9_999).map { ("f\($0).js", "") })
        for index in 0..<6 { registry.publish("many\(index)", "1.0.0", files: files) }
        let dependencies = (0..<6).map { #""many\#($0)": "1""# }.joined(separator: ", ")
        do {
            _ = try await Self.installer(registry).install(for: Self.plugin(dependencies: "{\(dependencies)}"))
            Issue.record("installed 60,000 files")
        } catch {
            #expect(error.description.contains("more than 50000 files"), "\(error)")
        }
    }

    @Test func onlyTheRegistrysOwnOriginCounts() {
        let registry = "https://registry.example.com/npm"
        #expect(NpmDependencyInstaller.isOnRegistry("https://registry.example.com/npm/a/-/a-1.0.0.tgz", registry: registry))
        #expect(NpmDependencyInstaller.isOnRegistry("HTTPS://Registry.Example.com/other", registry: registry))
        #expect(!NpmDependencyInstaller.isOnRegistry("http://registry.example.com/a", registry: registry), "not over plain HTTP")
        #expect(!NpmDependencyInstaller.isOnRegistry("https://registry.example.com:8443/a", registry: registry))
        #expect(!NpmDependencyInstaller.isOnRegistry("https://registry.example.com.evil.test/a", registry: registry))
        #expect(!NpmDependencyInstaller.isOnRegistry("https://user@evil.test/a", registry: registry))
    }

    @Test func aTarballOutsideHTTPIsNotFetched() async throws {
        let packument = #"{"dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": {"dist": {"#
            + #""tarball": "http+unix://%2Fvar%2Frun%2Fdocker.sock/a.tgz", "integrity": "sha512-AAAA"}}}}"#
        let fetched = Mutex<[String]>([])
        let installer = NpmDependencyInstaller(
            registryURL: "https://registry.example.com", isSkipped: { _ in false },
            fetch: { url, _ in
                fetched.withLock { $0.append(url) }
                return url == "https://registry.example.com/a" ? Array(packument.utf8) : nil
            })
        do {
            _ = try await installer.install(for: Self.plugin(dependencies: #"{"a": "1"}"#))
            Issue.record("installed from a socket")
        } catch {
            #expect(error.description.contains("not an http(s) URL"), "\(error)")
        }
        #expect(fetched.withLock { $0 } == ["https://registry.example.com/a"])
    }
}
