package import Foundation
package import PluginPackaging
import PluginRuntime

extension NpmDependencyInstaller {
    /// Installs from `QUILL_NPM_REGISTRY_URL`, sending `QUILL_NPM_TOKEN` only to the registry's own host (a
    /// tarball elsewhere must not receive it). Modules the runtime provides are not installed, nor those it
    /// refuses with a plan: compiling still refuses an import of those, with the plan.
    package init(settings: PluginRepositorySettings) {
        let registry = settings.npmRegistryURL
        let token = settings.npmToken
        self.init(
            registryURL: registry,
            isSkipped: { PluginRuntime.providedModules.contains($0) || UnprovidedModules.hasPlan(for: $0) },
            fetch: { url, limit in
                var headers = [("Accept", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8")]
                if let token, NpmDependencyInstaller.isOnRegistry(url, registry: registry) {
                    headers.append(("Authorization", "Bearer \(token)"))
                }
                return try await PluginRepository.download(url, upTo: limit, headers: headers)
            })
    }
}

extension NpmDependencyInstaller {
    /// For `quill plugin run` and `validate`: the files to compile, with the dependencies installed (a
    /// `quill-lock.json` in the folder is followed); nil when the folder's own node_modules has them all or
    /// package.json names none. Nothing is written into the folder.
    package func compiledFiles(ofFolder directory: URL) async throws -> [String: Data]? {
        guard let packageJSON = try? Data(contentsOf: directory.appending(path: "package.json")), hasDependencies(packageJSON: packageJSON)
        else { return nil }
        // A developer's node_modules (with devDependencies) may be far larger than a plugin may be: what is
        // installed is decided from the manifests alone, and the whole folder read only when something is.
        var manifests = ["package.json": packageJSON]
        manifests[NpmLock.fileName] = try? Data(contentsOf: directory.appending(path: NpmLock.fileName))
        let modules = directory.appending(path: "node_modules")
        for path in FileManager.default.enumerator(atPath: modules.path)?.compactMap({ $0 as? String }) ?? []
        where path.hasSuffix("/package.json") {
            manifests["node_modules/\(path)"] = try? Data(contentsOf: modules.appending(path: path))
        }
        guard let installation = try await install(for: manifests), installation.installedPackages else { return nil }
        do {
            return installation.files(over: try PluginFolder.files(at: directory))
        } catch let error as APIError {
            throw NpmInstallError(error.detail)
        }
    }
}
