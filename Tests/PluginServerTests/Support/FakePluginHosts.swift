import Compression
import Foundation
import Hummingbird
import NIOCore
import OrderedJSON
import PluginPackaging
@testable import PluginServer
import QuillTestSupport
import Synchronization

/// GitHub, its API and the npm registry on 127.0.0.1, serving one plugin in their archive layouts.
///
/// `publish(version:files:)` makes a new commit (GitHub) and a new version (npm) the newest; GitHub also
/// serves other repositories of `acme` published with `publish(version:files:repository:)`.
final class FakePluginHosts: Sendable {
    struct Release: Sendable {
        var version: String
        var commit: String
        var files: [String: String]
    }

    private let releases = Mutex<[String: [Release]]>([:])
    private let server = Mutex<LocalHTTPServer?>(nil)

    var baseURL: String { server.withLock { $0?.baseURL ?? "" } }

    /// The settings a Quill server needs to download from these hosts.
    var environment: [String: String] {
        [
            "QUILL_GITHUB_URL": "\(baseURL)/github", "QUILL_GITHUB_API_URL": "\(baseURL)/github-api",
            "QUILL_NPM_REGISTRY_URL": "\(baseURL)/npm", "QUILL_NPM_WEBSITE_URL": "\(baseURL)/npmjs",
        ]
    }

    func publish(version: String, files: [String: String], repository: String = "greeter") {
        let commit = String(repeating: version.filter(\.isNumber), count: 8).padding(toLength: 40, withPad: "0", startingAt: 0)
        releases.withLock { $0[repository, default: []].append(Release(version: version, commit: commit, files: files)) }
    }

    func start() async throws {
        let router = Router()
        router.get("github-api/repos/acme/:repository") { [self] _, context in
            latest(context.parameters.get("repository") ?? "") == nil ? Response(status: .notFound) : Self.json(["default_branch": "main"])
        }
        router.get("github-api/repos/acme/:repository/commits/main") { [self] _, context in
            guard let latest = latest(context.parameters.get("repository") ?? "") else { return Response(status: .notFound) }
            return Self.json(["sha": .string(latest.commit)])
        }
        router.get("github/acme/:repository/archive/:file") { [self] _, context in
            let repository = context.parameters.get("repository") ?? ""
            let file = context.parameters.get("file") ?? ""
            guard let release = release(of: repository, where: { "\($0.commit).zip" == file || "\($0.version).zip" == file }) else {
                return Response(status: .notFound)
            }
            // GitHub puts everything under "<repo>-<ref>/".
            return try Self.bytes(PluginArchive.zipForTests(release.files, folder: "\(repository)-\(release.commit)"))
        }
        router.get("npm/quill-greeter") { [self] _, _ in
            let versions = releases.withLock { $0["greeter"] ?? [] }.map { release -> (String, JSONValue) in
                (release.version, ["dist": ["tarball": .string("\(baseURL)/npm/quill-greeter/-/quill-greeter-\(release.version).tgz")]])
            }
            return Self.json(["dist-tags": ["latest": .string(latest("greeter")?.version ?? "")], "versions": .object(JSONObject(versions))])
        }
        router.get("npm/quill-greeter/-/:file") { [self] _, context in
            let file = context.parameters.get("file") ?? ""
            guard let release = release(of: "greeter", where: { "quill-greeter-\($0.version).tgz" == file }) else {
                return Response(status: .notFound)
            }
            // npm packs everything under "package/".
            return Self.bytes(Zlib.gzip(TarWriter.tar(release.files, folder: "package")))
        }
        // For a browser test's script: the repository's newest files again, as a new commit.
        router.post("control/publish/:repository/:version") { [self] _, context in
            let repository = context.parameters.get("repository") ?? ""
            guard let latest = latest(repository) else { return Response(status: .notFound) }
            publish(version: context.parameters.get("version") ?? "", files: latest.files, repository: repository)
            return Response(status: .noContent)
        }
        let started = try await LocalHTTPServer.start(router)
        server.withLock { $0 = started }
    }

    func stop() {
        server.withLock { $0?.stop() }
    }

    private func latest(_ repository: String) -> Release? { releases.withLock { $0[repository]?.last } }

    private func release(of repository: String, where matches: (Release) -> Bool) -> Release? {
        releases.withLock { $0[repository]?.first(where: matches) }
    }

    private static func json(_ value: JSONValue) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    private static func bytes(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
