import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OrderedJSON
import PluginPackaging

/// Where plugins are downloaded from: GitHub, GitLab and npm. Each base URL is a setting, so a
/// self-hosted GitLab (or a test server on 127.0.0.1) works.
public struct PluginRepositorySettings: Sendable {
    /// `QUILL_GITHUB_URL`: repository pages and archives. Default `https://github.com`.
    public var githubURL = "https://github.com"
    /// `QUILL_GITHUB_API_URL`: default branches and commits. Default `https://api.github.com`.
    public var githubAPIURL = "https://api.github.com"
    /// `QUILL_GITLAB_URL`: pages, API (`/api/v4`) and archives. Default `https://gitlab.com`.
    public var gitlabURL = "https://gitlab.com"
    /// `QUILL_NPM_REGISTRY_URL`: package metadata and tarballs. Default `https://registry.npmjs.org`.
    public var npmRegistryURL = "https://registry.npmjs.org"
    /// `QUILL_NPM_WEBSITE_URL`: package pages users copy URLs from. Default `https://www.npmjs.com`.
    public var npmWebsiteURL = "https://www.npmjs.com"
    /// `QUILL_NPM_TOKEN`: sent as a bearer token to the registry's own host when installing plugins' dependencies.
    public var npmToken: String?

    public init() {}

    public init(environment: [String: String]) {
        if let value = environment["QUILL_GITHUB_URL"] { githubURL = value }
        if let value = environment["QUILL_GITHUB_API_URL"] { githubAPIURL = value }
        if let value = environment["QUILL_GITLAB_URL"] { gitlabURL = value }
        if let value = environment["QUILL_NPM_REGISTRY_URL"] { npmRegistryURL = value }
        if let value = environment["QUILL_NPM_WEBSITE_URL"] { npmWebsiteURL = value }
        if let value = environment["QUILL_NPM_TOKEN"], !value.isEmpty { npmToken = value }
    }
}

/// A plugin's place in a repository or registry, from a URL a user pasted.
enum PluginLocation: Sendable, Equatable {
    /// `github.com/OWNER/REPO`, optionally `/tree/REF` or `/commit/SHA`.
    case github(owner: String, repository: String, ref: String?)
    /// `gitlab.com/GROUP/…/PROJECT`, optionally `/-/tree/REF` or `/-/commit/SHA`.
    case gitlab(path: String, ref: String?)
    /// An npm package page URL, or a package name, optionally `@VERSION`.
    case npm(name: String, version: String?)

    init?(_ text: String, settings: PluginRepositorySettings) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).trimmingSuffix("/").trimmingSuffix(".git")
        func rest(after base: String) -> [String]? {
            let base = base.trimmingSuffix("/")
            guard trimmed.lowercased().hasPrefix(base.lowercased() + "/") else { return nil }
            return trimmed.dropFirst(base.count + 1).split(separator: "/").map(String.init)
        }
        if let parts = rest(after: settings.githubURL), parts.count >= 2 {
            let ref = parts.count >= 4 && ["tree", "commit", "releases"].contains(parts[2])
                ? parts[(parts[2] == "releases" ? 4 : 3)...].joined(separator: "/") : nil
            self = .github(owner: parts[0], repository: parts[1], ref: ref)
        } else if let parts = rest(after: settings.gitlabURL), parts.count >= 2 {
            if let marker = parts.firstIndex(of: "-") {
                let ref = parts.count > marker + 2 ? parts[(marker + 2)...].joined(separator: "/") : nil
                self = .gitlab(path: parts[..<marker].joined(separator: "/"), ref: ref)
            } else {
                self = .gitlab(path: parts.joined(separator: "/"), ref: nil)
            }
        } else if let parts = rest(after: settings.npmWebsiteURL), parts.first == "package", parts.count >= 2 {
            let scoped = parts[1].hasPrefix("@") && parts.count >= 3
            let name = scoped ? "\(parts[1])/\(parts[2])" : parts[1]
            let afterName = Array(parts.dropFirst(scoped ? 3 : 2))
            self = .npm(name: name, version: afterName.first == "v" && afterName.count > 1 ? afterName[1] : nil)
        } else if !trimmed.contains("://"), let first = trimmed.first, first == "@" || first.isLetter || first.isNumber {
            // A bare package name: `name`, `name@1.2.3`, `@scope/name@1.2.3`.
            let at = trimmed.dropFirst().lastIndex(of: "@")
            self = .npm(
                name: at.map { String(trimmed[..<$0]) } ?? trimmed, version: at.map { String(trimmed[trimmed.index(after: $0)...]) })
        } else {
            return nil
        }
    }
}

/// Downloads plugin archives and looks up their newest versions.
struct PluginRepository: Sendable {
    let settings: PluginRepositorySettings
    private static let maximumDownload = PluginArchive.maximumTotalSize

    init(settings: PluginRepositorySettings) {
        self.settings = settings
    }

    /// The plugin's files at the location's version (the newest when none is pinned) and that version.
    func download(_ location: PluginLocation) async throws -> (files: [String: Data], tag: String) {
        let tag = try await pinnedOrLatestTag(location)
        let archiveURL: String
        switch location {
        case .github(let owner, let repository, _):
            archiveURL = "\(base(settings.githubURL))/\(owner)/\(repository)/archive/\(tag).zip"
        case .gitlab(let path, _):
            archiveURL = "\(gitlabProjectAPI(path))/repository/archive.zip?sha=\(tag.urlPathEncoded)"
        case .npm(let name, _):
            let metadata = try await json(npmMetadataURL(name))
            guard let tarball = metadata["versions"]?[tag]?["dist"]?["tarball"]?.stringValue else {
                throw APIError.invalidInput("npm has no version \(tag) of \(name).", attribute: "url")
            }
            archiveURL = tarball
        }
        let archive = try await get(archiveURL)
        do {
            return (try PluginArchive.files(of: archive), tag)
        } catch {
            throw APIError.invalidInput("The archive at \(archiveURL) is not a plugin: \(error)", attribute: "url")
        }
    }

    /// The newest version: the default branch's head commit for git hosts, `latest` for npm.
    func latestTag(_ location: PluginLocation) async throws -> String {
        switch location {
        case .github(let owner, let repository, _):
            let api = "\(base(settings.githubAPIURL))/repos/\(owner)/\(repository)"
            guard let branch = try await json(api)["default_branch"]?.stringValue,
                let sha = try await json("\(api)/commits/\(branch.urlPathEncoded)")["sha"]?.stringValue
            else { throw APIError.invalidInput("GitHub did not say what the newest commit of \(owner)/\(repository) is.") }
            return sha
        case .gitlab(let path, _):
            let api = gitlabProjectAPI(path)
            guard let branch = try await json(api)["default_branch"]?.stringValue,
                let sha = try await json("\(api)/repository/commits/\(branch.urlPathEncoded)")["id"]?.stringValue
            else { throw APIError.invalidInput("GitLab did not say what the newest commit of \(path) is.") }
            return sha
        case .npm(let name, _):
            guard let latest = try await json(npmMetadataURL(name))["dist-tags"]?["latest"]?.stringValue else {
                throw APIError.invalidInput("npm has no latest version of \(name).")
            }
            return latest
        }
    }

    private func pinnedOrLatestTag(_ location: PluginLocation) async throws -> String {
        switch location {
        case .github(_, _, let ref?), .gitlab(_, let ref?), .npm(_, let ref?): ref
        default: try await latestTag(location)
        }
    }

    private func base(_ url: String) -> String { url.trimmingSuffix("/") }

    private func gitlabProjectAPI(_ path: String) -> String {
        "\(base(settings.gitlabURL))/api/v4/projects/\(path.urlPathEncoded)"
    }

    private func npmMetadataURL(_ name: String) -> String {
        "\(base(settings.npmRegistryURL))/\(name.replacingOccurrences(of: "/", with: "%2F"))"
    }

    private func json(_ url: String) async throws -> JSONValue {
        let body = try await get(url)
        do {
            return try JSONValue.parse(body)
        } catch {
            throw APIError.invalidInput("\(url) did not answer with JSON.", attribute: "url")
        }
    }

    private func get(_ url: String) async throws -> [UInt8] {
        do {
            guard let body = try await Self.download(url, upTo: Self.maximumDownload) else {
                throw APIError.invalidInput("\(url) answered 404 Not Found.", attribute: "url")
            }
            return body
        } catch let error as APIError {
            throw error
        } catch let error as DownloadError {
            throw APIError.invalidInput("\(error).", attribute: "url")
        } catch {
            throw APIError.invalidInput("Could not download \(url): \(error)", attribute: "url")
        }
    }

    /// `url`'s body, at most `limit` bytes, within 30 s; nil when it answers 404.
    static func download(_ url: String, upTo limit: Int, headers: [(String, String)] = []) async throws -> [UInt8]? {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "Quill plugin server")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        if response.status == .notFound { return nil }
        guard response.status == .ok else {
            throw DownloadError(description: "\(url) answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        do {
            return Array(buffer: try await response.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw DownloadError(description: "\(url) is larger than \(limit) bytes")
        }
    }

    struct DownloadError: Error, CustomStringConvertible {
        var description: String
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }

    var urlPathEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
