// swift-tools-version: 6.1
import PackageDescription

let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]
let librarySettings = upcomingFeatures + [.enableUpcomingFeature("InternalImportsByDefault")]

let package = Package(
    name: "Quill",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quill", targets: ["quill"]),
        .library(name: "PluginRuntime", targets: ["PluginRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The C boundary: only JavaScriptEngine imports it.
        .systemLibrary(
            name: "CJavaScriptCore",
            pkgConfig: "javascriptcoregtk-4.1",
            providers: [.apt(["libjavascriptcoregtk-4.1-dev"])]
        ),
        // Sets JavaScriptCore's options before the process's first thread (a C constructor).
        .target(name: "CJavaScriptCoreOptions"),
        .target(
            name: "JavaScriptEngine", dependencies: ["CJavaScriptCore", "CJavaScriptCoreOptions"],
            swiftSettings: librarySettings),
        // Not `CZlib`: ZIPFoundation has a module of that name, and two module maps of one name can't meet in a build.
        .systemLibrary(name: "CQuillZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Compression", dependencies: ["CQuillZlib"], swiftSettings: librarySettings),
        .target(name: "OrderedJSON", swiftSettings: librarySettings),
        // posix_spawn with the GNU extensions Swift's Glibc module doesn't import; only ChildProcesses uses it.
        .target(name: "CSpawn"),
        .target(name: "ChildProcesses", dependencies: ["CSpawn"], swiftSettings: librarySettings),
        .systemLibrary(name: "CMaxMindDB", pkgConfig: "libmaxminddb", providers: [.apt(["libmaxminddb-dev"])]),
        .target(name: "GeoIP", dependencies: ["CMaxMindDB", "OrderedJSON"], swiftSettings: librarySettings),
        .target(name: "Storage", swiftSettings: librarySettings),
        // An event from a capture request to its stored row: decoding, checks, timestamps. No server, no engine.
        .target(name: "EventIngestion", dependencies: ["OrderedJSON", "Compression", "Storage"], swiftSettings: librarySettings),
        // plugin.json and config validation: what a plugin declares, checked without running it.
        .target(name: "PluginManifest", dependencies: ["OrderedJSON"], swiftSettings: librarySettings),
        // Plugin archives (.zip, .tar.gz) and multipart uploads, read within bounds. No server.
        .target(
            name: "PluginPackaging",
            dependencies: [
                "Compression", "OrderedJSON",
                // npm tarballs' integrity (sha512, sha1).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: librarySettings
        ),
        // meta.cache in Redis (QUILL_REDIS_URL): a RESP client on SwiftNIO.
        .target(
            name: "StorageRedis",
            dependencies: ["Storage", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: librarySettings),
        // The stores on PostgreSQL (QUILL_DATABASE_URL=postgres://…), for many instances sharing one deployment.
        .target(
            name: "StoragePostgres",
            dependencies: ["Storage", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: librarySettings),
        .target(
            name: "StorageSQLite",
            dependencies: ["Storage", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: librarySettings
        ),
        // Embeds a target's .js files as Swift strings at build time, so `quill` stays one self-contained file.
        .executableTarget(name: "embed-javascript", path: "Sources/EmbedJavaScript", swiftSettings: upcomingFeatures),
        .plugin(name: "EmbedJavaScript", capability: .buildTool(), dependencies: ["embed-javascript"]),
        .target(
            name: "PluginRuntime",
            dependencies: [
                "JavaScriptEngine", "Storage", "OrderedJSON", "Compression", "GeoIP", "ChildProcesses", "EventIngestion",
                "PluginManifest",
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA signatures: the service-account JWTs of `@google-cloud/storage`.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The `pg` module's connections.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: librarySettings,
            plugins: ["EmbedJavaScript"]
        ),
        .target(
            name: "PluginServer",
            dependencies: [
                "PluginRuntime", "Storage", "StorageSQLite", "StoragePostgres", "StorageRedis", "Compression", "OrderedJSON", "GeoIP",
                "EventIngestion", "PluginManifest", "PluginPackaging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The alert emails' SMTP client.
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("WebUI/Assets")],
            swiftSettings: librarySettings,
            plugins: ["EmbedJavaScript"]
        ),
        .executableTarget(
            name: "quill",
            dependencies: [
                "PluginRuntime", "Storage", "PluginServer", "PluginManifest", "PluginPackaging", "OrderedJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // `make bench`'s Swift side: the VM-stage benchmark and the capture load generator. Not a test.
        .executableTarget(
            name: "quill-bench",
            dependencies: [
                "PluginRuntime", "PluginServer", "Storage", "StorageSQLite", "PluginManifest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/QuillBench",
            swiftSettings: upcomingFeatures
        ),
        .testTarget(name: "JavaScriptEngineTests", dependencies: ["JavaScriptEngine"], swiftSettings: upcomingFeatures),
        .target(
            name: "QuillTestSupport",
            dependencies: [
                "ChildProcesses", "Compression", .product(name: "Hummingbird", package: "hummingbird"),
                // FakeNpmRegistry's tarball integrity.
                .product(name: "Crypto", package: "swift-crypto"),
                // GCSEmulator's requests to the emulator.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/QuillTestSupport", exclude: ["tcp_proxy.py", "moto_server.py"], swiftSettings: librarySettings),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"], swiftSettings: upcomingFeatures),
        .testTarget(name: "ChildProcessesTests", dependencies: ["ChildProcesses"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "CacheStoreTests",
            dependencies: ["Storage", "StorageRedis", "QuillTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: upcomingFeatures),
        // Every store test runs against SQLite and against a throw-away PostgreSQL server.
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "StorageSQLite", "StoragePostgres", "QuillTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures),
        .testTarget(name: "OrderedJSONTests", dependencies: ["OrderedJSON"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "EventIngestionTests", dependencies: ["EventIngestion", "OrderedJSON", "Compression", "Storage"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "PluginManifestTests", dependencies: ["PluginManifest", "QuillTestSupport"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "PluginPackagingTests", dependencies: ["PluginPackaging", "Compression", "QuillTestSupport"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "GeoIPTests", dependencies: ["GeoIP", "OrderedJSON", "QuillTestSupport"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "PluginServerTests",
            dependencies: [
                "PluginServer", "quill", "OrderedJSON", "Compression", "Storage", "StorageSQLite", "QuillTestSupport", "ChildProcesses",
                "PluginRuntime", "PluginPackaging", .product(name: "Logging", package: "swift-log"),
                // Tests read the raw rows the server wrote.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Clients"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "PluginRuntimeTests",
            dependencies: [
                "PluginRuntime", "Storage", "StorageSQLite", "quill", "QuillTestSupport", "GeoIP", "Compression",
                "ChildProcesses", "PluginManifest",
                // A service-account key, and the JWT signature a fake token endpoint checks.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["NodeCompatibility", "JestFixtures"],
            swiftSettings: upcomingFeatures
        ),
    ]
)

// libFuzzer targets (`make fuzz`: scripts/fuzz sets QUILL_FUZZ=1 and builds with -sanitize=fuzzer into .build-fuzz).
// Declared only then: they link only with libFuzzer's runtime, and `swift build` and `make test` never compile them.
if Context.environment["QUILL_FUZZ"] == "1" {
    let fuzzedModules: [String: [Target.Dependency]] = [
        "FuzzCaptureDecoder": ["EventIngestion", "OrderedJSON", "Storage"],
        "FuzzEventFinalizer": ["EventIngestion", "Storage"],
        "FuzzArchive": ["PluginPackaging"],
        "FuzzMultipart": ["PluginPackaging"],
        "FuzzManifest": ["PluginManifest"],
    ]
    package.targets += [
        .systemLibrary(name: "CLibFuzzer", path: "Sources/Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Sources/Fuzz/FuzzSupport", swiftSettings: librarySettings),
    ]
    for (name, dependencies) in fuzzedModules.sorted(by: { $0.key < $1.key }) {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: ["FuzzSupport"] + dependencies, path: "Sources/Fuzz/\(name)",
                swiftSettings: upcomingFeatures))
    }
}
