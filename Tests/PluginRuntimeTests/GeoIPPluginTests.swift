import Foundation
import GeoIP
import QuillTestSupport
import Testing

/// `meta.geoip.locate` from a MaxMind database, as PostHog's GeoIP plugin uses it.
@Suite struct GeoIPPluginTests {
    static let plugin = """
        export async function processEvent(event, { geoip }) {
          try {
            const located = await geoip.locate(event.properties.ip)
            event.properties.result = located === null ? { missing: true } : {
              city: located.city.names.en, country: located.country.isoCode, timeZone: located.location.timeZone,
              latitude: located.location.latitude, subdivision: located.subdivisions[0].isoCode,
              continent: located.continent.code, network: located.traits.network,
            }
          } catch (error) {
            event.properties.result = { error: `${error.name}: ${error.message}` }
          }
          return event
        }
        """

    @Test func locatesLinkoping() async throws {
        let harness = try PluginHarness(geoip: try GeoIPDatabase(path: GeoIPTestDatabases.city()))
        try await harness.load(Self.plugin)
        let result = try await Self.result(of: harness, ip: "89.160.20.129")
        #expect(result["city"] as? String == "Linköping")
        #expect(result["country"] as? String == "SE")
        #expect(result["timeZone"] as? String == "Europe/Stockholm")
        #expect(result["latitude"] as? Double == 58.4167)
        #expect(result["subdivision"] as? String == "E")
        #expect(result["continent"] as? String == "EU")
        #expect(result["network"] as? String == "89.160.20.128/25")
    }

    @Test(arguments: ["asdfgh", "10.0.0.1", ""])
    func unknownOrInvalidAddressesAreNull(_ ip: String) async throws {
        let harness = try PluginHarness(geoip: try GeoIPDatabase(path: GeoIPTestDatabases.city()))
        try await harness.load(Self.plugin)
        #expect(try await Self.result(of: harness, ip: ip)["missing"] as? Bool == true)
    }

    @Test func rejectsWhenNotConfigured() async throws {
        let harness = try PluginHarness()
        try await harness.load(Self.plugin)
        let result = try await Self.result(of: harness, ip: "89.160.20.129")
        #expect(
            result["error"] as? String
                == "Error: meta.geoip.locate() is not available: geoip is not configured (set QUILL_GEOIP_DATABASE)")
    }

    private static func result(of harness: PluginHarness, ip: String) async throws -> [String: Any] {
        let (event, _) = try await harness.process(sampleEvent(properties: ["ip": ip]))
        return try #require((event?["properties"] as? [String: Any])?["result"] as? [String: Any])
    }
}
