package import Foundation
import OrderedJSON

package struct NpmInstallError: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// Installs the `dependencies` of a plugin's package.json from an npm registry, laid out as npm lays out
/// node_modules, so esbuild bundles them: each version picked as npm picks it, each tarball checked against the
/// registry's integrity, nested dependencies hoisted to `node_modules/NAME` unless another version is there.
/// A `quill-lock.json` among the plugin's files that still fits package.json is installed as it is, without
/// asking the registry which versions there are.
///
/// Registries and tarballs are untrusted: every download is bounded, and so are the package count and size.
package struct NpmDependencyInstaller: Sendable {
    /// Downloads `url`, at most `limit` bytes; nil when the server answers 404. Errors say what failed.
    package typealias Fetch = @Sendable (_ url: String, _ limit: Int) async throws -> [UInt8]?

    package static let maximumPackageCount = 1_000
    /// Every file is written out for esbuild; a registry's tarballs full of empty files must not exhaust the disk.
    static let maximumFileCount = 5 * PluginArchive.maximumFileCount
    static let maximumPackumentSize = 32 * 1024 * 1024
    /// Registry documents of popular packages run to megabytes; all of one installation together stay below this.
    static let maximumPackumentTotal = 256 * 1024 * 1024

    let registryURL: String
    let isSkipped: @Sendable (String) -> Bool
    let fetch: Fetch
    /// How long one installation may take: a slow registry must not hold an install request for its every download's
    /// time-out in turn. No download starts past it.
    let timeLimit: Duration

    /// - Parameters:
    ///   - isSkipped: Names not to install: modules the runtime provides, and ones it refuses with a plan.
    ///   - timeLimit: How long one installation may take. Default 2 minutes.
    package init(
        registryURL: String, isSkipped: @escaping @Sendable (String) -> Bool, timeLimit: Duration = .seconds(120),
        fetch: @escaping Fetch
    ) {
        self.registryURL = registryURL.hasSuffix("/") ? String(registryURL.dropLast()) : registryURL
        self.isSkipped = isSkipped
        self.timeLimit = timeLimit
        self.fetch = fetch
    }

    package struct Installation: Sendable {
        /// The installed packages' files, by path in the plugin folder (`node_modules/a/index.js`).
        package var packageFiles: [String: Data]
        package var lock: NpmLock
        /// Whether the lock among the plugin's files was installed as it is.
        package var usedLock: Bool

        /// Whether any package was installed, rather than all shipped by the plugin.
        package var installedPackages: Bool { !lock.packages.isEmpty }

        /// `pluginFiles` with the installed packages: what to compile. A copy the plugin ships where a package
        /// was installed is left out, not mixed in.
        package func files(over pluginFiles: [String: Data]) -> [String: Data] {
            let folders = lock.packages.keys.map { $0 + "/" }
            var files = pluginFiles.filter { file in
                !file.key.hasPrefix("node_modules/") || !folders.contains { file.key.hasPrefix($0) }
            }
            files.merge(packageFiles) { _, installed in installed }
            return files
        }
    }

    /// nil when package.json names no dependency to install.
    package func install(for pluginFiles: [String: Data]) async throws(NpmInstallError) -> Installation? {
        let wanted = requirements(ofPackageJSON: pluginFiles["package.json"])
        guard !wanted.isEmpty else { return nil }
        let rootDependencies = Dictionary(wanted.map { ($0.name, $0.spec) }, uniquingKeysWith: { first, _ in first })
        let session = Session(installer: self, pluginFiles: pluginFiles)
        let usedLock: Bool
        if let lock = pluginFiles[NpmLock.fileName].flatMap(NpmLock.init), session.fits(lock, wanted) {
            try await session.install(lock)
            usedLock = true
        } else {
            try await session.resolve(wanted)
            usedLock = false
        }
        return Installation(
            packageFiles: session.installed, lock: NpmLock(dependencies: rootDependencies, packages: session.locked),
            usedLock: usedLock)
    }

    /// Whether package.json names a dependency to install.
    package func hasDependencies(packageJSON: Data?) -> Bool {
        !requirements(ofPackageJSON: packageJSON).isEmpty
    }

    private func requirements(ofPackageJSON data: Data?) -> [Requirement] {
        guard let manifest = data.flatMap({ try? JSONValue.parse(Array($0)) }) else { return [] }
        return Requirement.all(
            dependencies: NpmPackument.names(manifest["dependencies"]),
            optionalDependencies: NpmPackument.names(manifest["optionalDependencies"]), of: "", requiredBy: "package.json"
        ).filter { !isSkipped($0.name) }
    }

    /// A dependency to install, seen from the package (install path) that names it.
    struct Requirement {
        /// The install path of the package that names it; "" for the plugin itself.
        var dependent: String
        /// For messages: "package.json" or "NAME@VERSION".
        var requiredBy: String
        var name: String
        var spec: String
        var isOptional: Bool

        /// A package's requirements by name; one also in `optionalDependencies` is optional, as npm reads it.
        static func all(
            dependencies: [String: String], optionalDependencies: [String: String], of dependent: String, requiredBy: String
        ) -> [Requirement] {
            let required = dependencies.filter { optionalDependencies[$0.key] == nil }.map {
                Requirement(dependent: dependent, requiredBy: requiredBy, name: $0.key, spec: $0.value, isOptional: false)
            }
            let optional = optionalDependencies.map {
                Requirement(dependent: dependent, requiredBy: requiredBy, name: $0.key, spec: $0.value, isOptional: true)
            }
            return (required + optional).sorted { $0.name < $1.name }
        }
    }

    /// One installation's state: what is placed where, the files so far, what was downloaded.
    private final class Session {
        let installer: NpmDependencyInstaller
        /// The installed packages' files.
        var installed: [String: Data] = [:]
        /// Installed packages by install path.
        var locked: [String: NpmLock.Package] = [:]
        /// Packages the plugin ships in its own node_modules, by install path: their name and version when readable.
        var shipped: [String: (name: String?, version: NpmVersion?)] = [:]
        var packuments: [String: NpmPackument] = [:]
        var packumentBytes = 0
        /// Of the plugin's files and the installed ones.
        var totalSize: Int
        var fileCount: Int

        /// When downloads stop: the installation's time limit from its start.
        let deadline: ContinuousClock.Instant

        init(installer: NpmDependencyInstaller, pluginFiles: [String: Data]) {
            self.installer = installer
            deadline = .now + installer.timeLimit
            totalSize = pluginFiles.values.reduce(0) { $0 + $1.count }
            fileCount = pluginFiles.count
            for (path, data) in pluginFiles where path.hasSuffix("/package.json") {
                let folder = String(path.dropLast("/package.json".count))
                guard Self.isInstallPath(folder) else { continue }
                let manifest = try? JSONValue.parse(Array(data))
                shipped[folder] = (manifest?["name"]?.stringValue, manifest?["version"]?.stringValue.flatMap(NpmVersion.init))
            }
        }

        // MARK: The lock

        /// Whether every requirement, from package.json down, finds a locked (or shipped) package that fits it,
        /// every locked package is needed, and every download is from the registry.
        func fits(_ lock: NpmLock, _ wanted: [Requirement]) -> Bool {
            var queue = wanted
            var reached: Set<String> = []
            while let requirement = queue.popLast() {
                if installer.isSkipped(requirement.name) { continue }
                guard let spec = NpmSpec(requirement.spec) else { return false }
                let isPlaced = { (path: String) in lock.packages[path] != nil || self.shipped[path] != nil }
                guard let path = Self.lookup(requirement.name, from: requirement.dependent, in: isPlaced) else {
                    if requirement.isOptional { continue }
                    return false
                }
                let wantedPackage = spec.package(forDependency: requirement.name)
                guard let package = lock.packages[path] else {
                    if let found = shipped[path], Self.fits(found, at: path, spec, wantedPackage) { continue }
                    return false
                }
                guard Self.isInstallPath(path), Self.fits((package.name, package.version), at: path, spec, wantedPackage),
                    NpmDependencyInstaller.isOnRegistry(package.resolved, registry: installer.registryURL),
                    NpmIntegrity(integrity: package.integrity, shasum: nil) != nil
                else { return false }
                if reached.insert(path).inserted {
                    queue += Self.requirements(of: package, at: path)
                }
            }
            return reached == Set(lock.packages.keys)
        }

        func install(_ lock: NpmLock) async throws(NpmInstallError) {
            guard lock.packages.count <= NpmDependencyInstaller.maximumPackageCount else { throw Self.tooMany }
            for (path, package) in lock.packages.sorted(by: { $0.key < $1.key }) {
                guard let integrity = NpmIntegrity(integrity: package.integrity, shasum: nil) else { continue }
                let name = package.name ?? Self.packageName(atInstallPath: path)
                try place(try await download(package.resolved, integrity: integrity, of: "\(name)@\(package.version)"), at: path)
                locked[path] = package
            }
        }

        // MARK: Resolving

        func resolve(_ wanted: [Requirement]) async throws(NpmInstallError) {
            var queue = wanted[...]
            while let requirement = queue.popFirst() {
                if installer.isSkipped(requirement.name) { continue }
                do {
                    queue += try await resolve(requirement)
                } catch where requirement.isOptional {
                    continue  // an optional dependency that can't be installed is left out, as npm does
                }
            }
        }

        /// Installs `requirement` unless a fitting package is already where it would be found, and returns its
        /// own dependencies.
        private func resolve(_ requirement: Requirement) async throws(NpmInstallError) -> [Requirement] {
            let name = requirement.name
            guard let spec = NpmSpec(requirement.spec) else {
                throw NpmInstallError(
                    "The dependency '\(name)': '\(requirement.spec)' (in \(requirement.requiredBy)) is not a registry version; "
                        + "Quill installs dependencies only from the npm registry, as a version range (^1.2.0), a tag (latest) "
                        + "or an alias (npm:NAME@^1.2.0)")
            }
            let package = spec.package(forDependency: name)
            for checked in Set([name, package]) where !Self.isPackageName(checked) {
                throw NpmInstallError("'\(checked)' (in the dependencies of \(requirement.requiredBy)) is not an npm package name")
            }
            let target: String
            let isPlaced = { (path: String) in self.locked[path] != nil || self.shipped[path] != nil }
            if let found = Self.lookup(name, from: requirement.dependent, in: isPlaced) {
                if let placed = locked[found].map({ ($0.name, Optional($0.version)) }) ?? shipped[found],
                    Self.fits(placed, at: found, spec, package)
                {
                    return []
                }
                target = Self.installPath(of: name, under: requirement.dependent)
                // The nearest is the dependent's own, installed for an earlier requirement of the same name.
                guard locked[target] == nil else {
                    throw NpmInstallError("\(requirement.requiredBy) needs '\(name)' at two versions that don't meet")
                }
            } else {
                target = "node_modules/\(name)"
            }
            guard locked.count < NpmDependencyInstaller.maximumPackageCount else { throw Self.tooMany }
            let release = try await packument(of: package, requiredBy: requirement.requiredBy).pick(spec)
            guard let integrity = NpmIntegrity(integrity: release.integrity, shasum: release.shasum) else {
                throw NpmInstallError(
                    "The registry gives no integrity (sha512, sha1) for \(package)@\(release.version), so it can't be checked")
            }
            // Not `file:` or a `http+unix:` socket on the server.
            let scheme = URLComponents(string: release.tarball)?.scheme?.lowercased()
            guard scheme == "https" || scheme == "http" else {
                throw NpmInstallError(
                    "The registry gives \(package)@\(release.version) a tarball that is not an http(s) URL: \(release.tarball)")
            }
            let packageFiles = try await download(release.tarball, integrity: integrity, of: "\(package)@\(release.version)")
            try place(packageFiles, at: target)
            let installed = NpmLock.Package(
                name: package == name ? nil : package, version: release.version, resolved: release.tarball,
                integrity: integrity.description, dependencies: release.dependencies,
                optionalDependencies: release.optionalDependencies)
            locked[target] = installed
            return Self.requirements(of: installed, at: target)
        }

        private func packument(of name: String, requiredBy: String) async throws(NpmInstallError) -> NpmPackument {
            if let known = packuments[name] { return known }
            let url = "\(installer.registryURL)/\(name.replacingOccurrences(of: "/", with: "%2f"))"
            guard let body = try await get(url, limit: NpmDependencyInstaller.maximumPackumentSize) else {
                throw NpmInstallError(
                    "The dependency '\(name)' (of \(requiredBy)) is not in the npm registry at \(installer.registryURL) (404)")
            }
            packumentBytes += body.count
            guard packumentBytes <= NpmDependencyInstaller.maximumPackumentTotal else {
                throw NpmInstallError(
                    "The registry's documents for the plugin's dependencies come to more than "
                        + "\(NpmDependencyInstaller.maximumPackumentTotal) bytes")
            }
            let json: JSONValue
            do {
                json = try JSONValue.parse(body)
            } catch {
                throw NpmInstallError("The npm registry's answer for \(name) at \(url) is not JSON: \(error)")
            }
            let packument = try NpmPackument(name: name, json: json)
            packuments[name] = packument
            return packument
        }

        // MARK: Downloads

        /// The package's files, after its tarball's digest is checked.
        private func download(
            _ url: String, integrity: NpmIntegrity, of package: String
        ) async throws(NpmInstallError) -> [String: Data] {
            guard let tarball = try await get(url, limit: PluginArchive.maximumTotalSize) else {
                throw NpmInstallError("The tarball of \(package) is not at \(url) (404)")
            }
            guard integrity.matches(tarball) else {
                throw NpmInstallError(
                    "The tarball of \(package) from \(url) does not match its integrity \(integrity): "
                        + "it is not what the registry published")
            }
            do {
                return try PluginArchive.files(of: tarball)
            } catch {
                throw NpmInstallError("The tarball of \(package) from \(url) can't be read: \(error)")
            }
        }

        private func get(_ url: String, limit: Int) async throws(NpmInstallError) -> [UInt8]? {
            guard ContinuousClock.now < deadline else {
                throw NpmInstallError(
                    "Installing the dependencies from the npm registry \(installer.registryURL) took longer than "
                        + "\(installer.timeLimit); the registry answers too slowly")
            }
            do {
                return try await installer.fetch(url, limit)
            } catch {
                throw NpmInstallError("Could not download \(url) (npm registry \(installer.registryURL)): \(error)")
            }
        }

        /// Adds a package's files at `path`, all or none (an optional dependency that fails leaves nothing).
        private func place(_ packageFiles: [String: Data], at path: String) throws(NpmInstallError) {
            let size = totalSize + packageFiles.values.reduce(0) { $0 + $1.count }
            guard size <= PluginArchive.maximumTotalSize else {
                throw NpmInstallError("The plugin with its dependencies is larger than \(PluginArchive.maximumTotalSize) bytes")
            }
            guard fileCount + packageFiles.count <= NpmDependencyInstaller.maximumFileCount else {
                throw NpmInstallError("The plugin with its dependencies has more than \(NpmDependencyInstaller.maximumFileCount) files")
            }
            // A copy the plugin ships here is replaced (see `Installation.files(over:)`), so no longer found.
            for folder in shipped.keys where folder == path || folder.hasPrefix(path + "/") { shipped[folder] = nil }
            for (file, data) in packageFiles { installed["\(path)/\(file)"] = data }
            totalSize = size
            fileCount += packageFiles.count
        }

        private static let tooMany = NpmInstallError(
            "The plugin's dependencies come to more than \(NpmDependencyInstaller.maximumPackageCount) packages")

        // MARK: Layout

        /// Whether the package placed at `path` (its registry name when known, and version) is what `spec` wants:
        /// `package` at a fitting version. A name it doesn't state is its folder's.
        private static func fits(
            _ placed: (name: String?, version: NpmVersion?), at path: String, _ spec: NpmSpec, _ package: String
        ) -> Bool {
            guard let version = placed.version else { return false }
            return (placed.name ?? packageName(atInstallPath: path)) == package && spec.accepts(version)
        }

        private static func requirements(of package: NpmLock.Package, at path: String) -> [Requirement] {
            Requirement.all(
                dependencies: package.dependencies, optionalDependencies: package.optionalDependencies, of: path,
                requiredBy: "\(packageName(atInstallPath: path))@\(package.version)")
        }

        /// Where `require(name)` from the package at `dependent` finds it, as Node looks: its own node_modules,
        /// then each enclosing package's, up to the plugin's.
        static func lookup(_ name: String, from dependent: String, in isPlaced: (String) -> Bool) -> String? {
            var folder = dependent
            while true {
                let candidate = installPath(of: name, under: folder)
                if isPlaced(candidate) { return candidate }
                guard !folder.isEmpty else { return nil }
                folder = folder.range(of: "/node_modules/", options: .backwards).map { String(folder[..<$0.lowerBound]) } ?? ""
            }
        }

        static func installPath(of name: String, under folder: String) -> String {
            folder.isEmpty ? "node_modules/\(name)" : "\(folder)/node_modules/\(name)"
        }

        static func packageName(atInstallPath path: String) -> String {
            let last = path.range(of: "node_modules/", options: .backwards).map { String(path[$0.upperBound...]) }
            return last ?? path
        }

        /// `node_modules/NAME`, optionally nested (`…/node_modules/NAME`), with scoped names.
        static func isInstallPath(_ path: String) -> Bool {
            var parts = path.split(separator: "/", omittingEmptySubsequences: false)[...]
            guard !parts.isEmpty else { return false }
            while let first = parts.popFirst() {
                guard first == "node_modules", let name = parts.popFirst() else { return false }
                if name.hasPrefix("@") {
                    guard let scoped = parts.popFirst(), isPackageName("\(name)/\(scoped)") else { return false }
                } else if !isPackageName(String(name)) {
                    return false
                }
            }
            return true
        }

        /// npm's rules for a name, enough that it is one folder (or `@scope/` and one) inside node_modules.
        static func isPackageName(_ name: String) -> Bool {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            let isScoped = name.hasPrefix("@")
            guard name.utf8.count <= 214, parts.count == (isScoped ? 2 : 1) else { return false }
            return parts.enumerated().allSatisfy { index, part in
                let part = isScoped && index == 0 ? part.dropFirst() : part
                return !part.isEmpty && part.first != "." && part.first != "_"
                    && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._~".contains($0)) }
            }
        }
    }

    /// Whether `url` is on the registry's own scheme, host and port. A lock's downloads must be, since a lock comes
    /// with the plugin and is as untrusted as its code; the registry's token goes nowhere else.
    package static func isOnRegistry(_ url: String, registry: String) -> Bool {
        guard let registry = URLComponents(string: registry), let target = URLComponents(string: url) else { return false }
        return registry.scheme?.lowercased() == target.scheme?.lowercased() && registry.host?.lowercased() == target.host?.lowercased()
            && registry.port == target.port
    }
}
