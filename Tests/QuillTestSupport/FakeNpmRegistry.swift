import Compression
import Crypto
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// An npm registry in npm's layout: packuments at `/NAME` (`/@scope%2fname`) with `versions`, `dist-tags`
/// and each version's `dist.tarball` and `dist.integrity` (sha512), tarballs at `/NAME/-/BASENAME-VERSION.tgz`
/// packed under `package/` as npm packs them. `response(to:)` answers without a server, for a resolver's fetch
/// closure; `start()` serves the same on 127.0.0.1.
public final class FakeNpmRegistry: Sendable {
    struct Release {
        var version: String
        var tarball: [UInt8]
        var dependencies: [String: String]
        var optionalDependencies: [String: String]
        var integrity: String
        /// The registry whose address the tarball URL names: this one when nil.
        var tarballHost: FakeNpmRegistry?
    }

    private let packages = Mutex<[String: [Release]]>([:])
    private let tags = Mutex<[String: [String: String]]>([:])
    private let server = Mutex<LocalHTTPServer?>(nil)
    private let requestPaths = Mutex<[String]>([])
    private let authorizations = Mutex<[String: String]>([:])
    /// Where tarball URLs point: the server's address once started, a made-up one before.
    private let base = Mutex("http://registry.invalid")

    public init() {}

    public var baseURL: String { base.withLock { $0 } }

    /// Every path asked for, in order.
    public var requests: [String] { requestPaths.withLock { $0 } }
    /// The packument requests among them (tarball paths have `/-/`).
    public var packumentRequests: Int { requests.filter { !$0.contains("/-/") }.count }
    /// The `Authorization` header the server received, by path.
    public var authorizationHeaders: [String: String] { authorizations.withLock { $0 } }

    /// Publishes `name@version` with `files` (a package.json naming it is added unless given) and its dependencies.
    /// - Parameters:
    ///   - integrity: What the packument claims; the tarball's real sha512 when nil.
    ///   - tarballHost: Another registry the tarball URL points to (publish the same there); this one when nil.
    public func publish(
        _ name: String, _ version: String, files: [String: String] = [:], dependencies: [String: String] = [:],
        optionalDependencies: [String: String] = [:], integrity: String? = nil, tarballHost: FakeNpmRegistry? = nil
    ) {
        var files = files
        if files["package.json"] == nil {
            let manifest: [String: Any] = ["name": name, "version": version, "main": "index.js", "dependencies": dependencies]
            let json = (try? JSONSerialization.data(withJSONObject: manifest, options: .sortedKeys)) ?? Data()
            files["package.json"] = String(decoding: json, as: UTF8.self)
        }
        let tarball = Zlib.gzip(TarWriter.tar(files, folder: "package"))
        let release = Release(
            version: version, tarball: tarball, dependencies: dependencies, optionalDependencies: optionalDependencies,
            integrity: integrity ?? "sha512-" + Data(SHA512.hash(data: tarball)).base64EncodedString(), tarballHost: tarballHost)
        packages.withLock { $0[name, default: []].append(release) }
    }

    /// Points `tag` of `name` at `version` (by default `latest` is the last version published).
    public func tag(_ name: String, _ tag: String, _ version: String) {
        tags.withLock { $0[name, default: [:]][tag] = version }
    }

    /// The registry's answer to `url` (on `baseURL`), nil for a 404; records the request.
    public func response(to url: String) -> [UInt8]? {
        let path = url.hasPrefix(baseURL) ? String(url.dropFirst(baseURL.count)) : url
        requestPaths.withLock { $0.append(path) }
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if let marker = trimmed.range(of: "/-/") {
            let name = String(trimmed[..<marker.lowerBound])
            let file = String(trimmed[marker.upperBound...])
            let basename = name.split(separator: "/").last.map(String.init) ?? name
            return packages.withLock { $0[name]?.first { "\(basename)-\($0.version).tgz" == file }?.tarball }
        }
        let name = trimmed.replacingOccurrences(of: "%2f", with: "/").replacingOccurrences(of: "%2F", with: "/")
        guard let releases = packages.withLock({ $0[name] }) else { return nil }
        let basename = name.split(separator: "/").last.map(String.init) ?? name
        var versions: [String: Any] = [:]
        for release in releases {
            versions[release.version] = [
                "name": name, "version": release.version, "dependencies": release.dependencies,
                "optionalDependencies": release.optionalDependencies,
                "dist": [
                    "tarball": "\((release.tarballHost ?? self).baseURL)/\(name)/-/\(basename)-\(release.version).tgz",
                    "integrity": release.integrity,
                ],
            ] as [String: Any]
        }
        var distTags = tags.withLock { $0[name] ?? [:] }
        if distTags["latest"] == nil, let last = releases.last { distTags["latest"] = last.version }
        let packument: [String: Any] = ["name": name, "dist-tags": distTags, "versions": versions]
        return (try? JSONSerialization.data(withJSONObject: packument)).map(Array.init)
    }

    /// Serves the registry on `host`, a loopback address.
    public func start(host: String = "127.0.0.1") async throws {
        let router = Router()
        router.get("**") { [self] request, _ in
            if let authorization = request.headers[.authorization] {
                authorizations.withLock { $0[request.uri.path] = authorization }
            }
            guard let body = response(to: baseURL + request.uri.path) else { return Response(status: .notFound) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        let started = try await LocalHTTPServer.start(router, host: host)
        base.withLock { $0 = started.baseURL }
        server.withLock { $0 = started }
    }

    public func stop() {
        server.withLock { $0?.stop() }
    }
}
