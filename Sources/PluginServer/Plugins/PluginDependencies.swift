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
    /// For `quill plugin run` and `validate`: the folder's files with its dependencies installed (a
    /// `quill-lock.json` in it is followed), nil when it names none. Nothing is written into the folder.
    package func install(forFolder directory: URL) async throws -> Installation? {
        guard hasDependencies(packageJSON: try? Data(contentsOf: directory.appending(path: "package.json"))) else { return nil }
        let files: [String: Data]
        do {
            files = try PluginFolder.files(at: directory)
        } catch let error as APIError {
            throw NpmInstallError(error.detail)
        }
        return try await install(for: files)
    }
}
