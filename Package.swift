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
    ],
    targets: [
        // The C boundary: only JavaScriptEngine imports it.
        .systemLibrary(
            name: "CJavaScriptCore",
            pkgConfig: "javascriptcoregtk-4.1",
            providers: [.apt(["libjavascriptcoregtk-4.1-dev"])]
        ),
        .target(name: "JavaScriptEngine", dependencies: ["CJavaScriptCore"], swiftSettings: librarySettings),
        .target(name: "Storage", swiftSettings: librarySettings),
        .target(
            name: "StorageSQLite",
            dependencies: ["Storage", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: librarySettings
        ),
        .target(
            name: "PluginRuntime",
            dependencies: ["JavaScriptEngine", "Storage"],
            swiftSettings: librarySettings
        ),
        .executableTarget(
            name: "quill",
            dependencies: [
                "PluginRuntime", "StorageSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(name: "JavaScriptEngineTests", dependencies: ["JavaScriptEngine"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "PluginRuntimeTests",
            dependencies: ["PluginRuntime", "StorageSQLite", "quill"],
            swiftSettings: upcomingFeatures
        ),
    ]
)
