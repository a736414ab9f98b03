public import Foundation

/// The GeoIP databases the tests read, which `scripts/setup` writes from `Tests/Fixtures/geoip/city-records.json`.
public enum GeoIPTestDatabases {
    /// Where `scripts/build-geoip-fixtures` writes them: generated, so inside the git-ignored `.build`.
    public static let folder = QuillExecutable.repositoryRoot.appending(path: ".build/fixtures/geoip")

    /// A small City database: `89.160.20.129` is Linköping, `81.2.69.142` London, `2.125.160.216` Boxford,
    /// `2001:480::1` San Diego.
    public static func city() throws -> String {
        try path(of: "City-Test.mmdb")
    }

    /// The City database with the double in `2001:220::`'s record corrupted: it opens, that lookup fails.
    public static func brokenDouble() throws -> String {
        try path(of: "City-Test-Broken-Double.mmdb")
    }

    private static func path(of name: String) throws -> String {
        let path = folder.appending(path: name).path
        guard FileManager.default.fileExists(atPath: path) else { throw MissingGeoIPTestDatabase(path: path) }
        return path
    }
}

struct MissingGeoIPTestDatabase: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "the GeoIP test database \(path) is missing: run scripts/setup, which writes it from Tests/Fixtures/geoip"
    }
}
