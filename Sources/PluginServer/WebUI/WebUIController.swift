import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the web UI: `/` and `/ui` lead to `/ui/`, whose page and assets come from `Assets/`.
///
/// The UI is plain HTML, CSS and JavaScript modules that use only the management API; it keeps the
/// personal API key in the browser's session storage, so these files are public.
struct WebUIController: Sendable {
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
        /// A hash of the contents, so a browser revalidates cheaply and never keeps a stale copy.
        var entityTag: String
    }

    private let assets: [String: Asset]

    init() {
        self.init(assets: Self.loadAssets())
    }

    init(assets: [String: Asset]) {
        self.assets = assets
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/") { _, _ in Self.redirect(to: "/ui/") }
        router.get("ui") { request, _ in
            // A page's relative module URLs resolve against `/ui/`, so the page itself is served only there.
            request.uri.path.hasSuffix("/") ? serve("index.html", request) : Self.redirect(to: "/ui/")
        }
        router.get("ui/:file") { request, context in serve(context.parameters.get("file") ?? "", request) }
    }

    private func serve(_ name: String, _ request: Request) -> Response {
        guard let asset = assets[name] else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "No such file in the web UI.")))
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .cacheControl: "no-cache", .eTag: asset.entityTag,
            .xContentTypeOptions: "nosniff",
        ]
        if name == "index.html" {
            headers[.contentSecurityPolicy] =
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
        }
        if request.headers[.ifNoneMatch] == asset.entityTag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }

    private static func redirect(to location: String) -> Response {
        Response(status: .found, headers: [.location: location])
    }

    /// The files of the `Assets` resource folder, read once at start.
    static func loadAssets() -> [String: Asset] {
        guard
            let folder = Bundle.module.url(forResource: "Assets", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [:] }
        var assets: [String: Asset] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appending(path: name).path) else { continue }
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            assets[name] = Asset(bytes: ByteBuffer(bytes: data), contentType: contentType(of: name), entityTag: "\"\(digest)\"")
        }
        return assets
    }

    private static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
