import Foundation
import GeoIP
import OrderedJSON
import QuillTestSupport
import Testing

@Suite struct GeoIPTests {
    @Test func findsLinkopingAsMaxMindStoresIt() throws {
        let database = try GeoIPDatabase(path: GeoIPTestDatabases.city())
        let record = try #require(try database.record(for: "89.160.20.129"))
        #expect(record["city"]?["names"]?["en"] == "Linköping")
        #expect(record["country"]?["iso_code"] == "SE")
        #expect(record["continent"]?["code"] == "EU")
        #expect(record["location"]?["time_zone"] == "Europe/Stockholm")
        #expect(record["location"]?["latitude"]?.doubleValue == 58.4167)
        #expect(record["location"]?["longitude"]?.doubleValue == 15.6167)
        #expect(record["subdivisions"]?.arrayValue?.first?["iso_code"] == "E")
    }

    @Test func givesPostHogsCityModel() throws {
        let database = try GeoIPDatabase(path: GeoIPTestDatabases.city())
        let city = try #require(try database.city(for: "89.160.20.129"))
        #expect(city["city"]?["names"]?["en"] == "Linköping")
        #expect(city["city"]?["geonameId"] == 2_694_762)
        #expect(city["country"]?["isoCode"] == "SE")
        #expect(city["country"]?["isInEuropeanUnion"] == true)
        #expect(city["registeredCountry"]?["isoCode"] == "DE")
        #expect(city["location"]?["timeZone"] == "Europe/Stockholm")
        #expect(city["location"]?["accuracyRadius"] == 76)
        #expect(city["subdivisions"]?.arrayValue?.first?["isoCode"] == "E")
        // Nested maps keep MaxMind's keys: languages such as "zh-CN" are not camel-cased.
        #expect(city["country"]?["names"]?["zh-CN"] == "瑞典")
        #expect(city["traits"]?["ipAddress"] == "89.160.20.129")
        #expect(city["traits"]?["network"] == "89.160.20.128/25")
        #expect(city["traits"]?["isAnonymousProxy"] == false)
    }

    @Test func findsOtherCities() throws {
        let database = try GeoIPDatabase(path: GeoIPTestDatabases.city())
        #expect(try database.record(for: "81.2.69.142")?["city"]?["names"]?["en"] == "London")
        #expect(try database.record(for: "2.125.160.216")?["city"]?["names"]?["en"] == "Boxford")
    }

    @Test func looksUpIPv6() throws {
        let database = try GeoIPDatabase(path: GeoIPTestDatabases.city())
        let record = try #require(try database.record(for: "2001:480::1"))
        #expect(record["city"]?["names"]?["en"] == "San Diego")
        #expect(record["country"]?["iso_code"] == "US")
        #expect(try database.city(for: "2001:480::1")?["traits"]?["network"] == "2001:480::/43")
    }

    @Test(arguments: ["asdfgh", "", "1.2.3", "89.160.20.129.1", "localhost", "10.0.0.1", "::1"])
    func unknownOrInvalidAddressesHaveNoRecord(_ ip: String) throws {
        let database = try GeoIPDatabase(path: GeoIPTestDatabases.city())
        #expect(try database.record(for: ip) == nil)
        #expect(try database.city(for: ip) == nil)
    }

    @Test func corruptDatabaseFailsClearly() throws {
        let path = try GeoIPTestDatabases.brokenDouble()
        let error = #expect(throws: GeoIPError.self) {
            let database = try GeoIPDatabase(path: path)
            // The broken database opens; the bad double in this record must then fail the lookup, not crash.
            _ = try database.record(for: "2001:220::")
        }
        #expect(error?.description.contains("GeoIP database \(path) is corrupt") == true)
    }

    @Test func missingDatabaseNamesThePath() {
        let path = GeoIPTestDatabases.folder.appending(path: "no-such.mmdb").path
        let error = #expect(throws: GeoIPError.self) { try GeoIPDatabase(path: path) }
        #expect(error?.description.contains("cannot open the GeoIP database \(path)") == true)
        #expect(error?.description.contains("No such file") == true)
    }

    @Test func notADatabaseFailsClearly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quill-not-mmdb-\(UUID()).mmdb").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: GeoIPError.self) { try GeoIPDatabase(path: path) }
        #expect(error?.description.contains(path) == true)
    }

    @Test func concurrentLookupsAgree() async throws {
        let database = try GeoIPDatabase(path: GeoIPTestDatabases.city())
        let names = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<64 {
                group.addTask { try database.record(for: "89.160.20.129")?["city"]?["names"]?["en"]?.stringValue }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(names == Array(repeating: "Linköping", count: 64))
    }
}
