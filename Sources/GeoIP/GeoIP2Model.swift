import OrderedJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shape `@maxmind/geoip2-node`'s `City` model gives a raw City record, which is what PostHog's
/// plugins (e.g. its GeoIP plugin reading `country.isoCode`) were written against.
enum GeoIP2Model {
    /// Records whose own keys are camel-cased, in the model's order; nested maps (`names`) are kept.
    private static let records: [(raw: String, model: String)] = [
        ("continent", "continent"), ("country", "country"), ("maxmind", "maxmind"),
        ("registered_country", "registeredCountry"), ("represented_country", "representedCountry"),
        ("city", "city"), ("location", "location"), ("postal", "postal"),
    ]
    /// The country records get `isInEuropeanUnion` as a boolean, false when absent.
    private static let countries: Set<String> = ["country", "registered_country", "represented_country"]
    /// Traits the model always has, false when the record lacks them.
    private static let booleanTraits = [
        "is_anonymous", "is_anonymous_proxy", "is_anonymous_vpn", "is_hosting_provider", "is_legitimate_proxy",
        "is_public_proxy", "is_residential_proxy", "is_satellite_provider", "is_tor_exit_node",
    ]

    static func city(from record: JSONObject, ip: String, prefixLength: Int) -> JSONObject {
        var model = JSONObject()
        for (raw, name) in records {
            guard var object = record[raw]?.objectValue else { continue }
            if countries.contains(raw) {
                object["is_in_european_union"] = .bool(object["is_in_european_union"]?.boolValue ?? false)
            }
            model[name] = .object(camelCased(object))
        }
        if let subdivisions = record["subdivisions"]?.arrayValue {
            model["subdivisions"] = .array(subdivisions.map { $0.objectValue.map { .object(camelCased($0)) } ?? $0 })
        }
        var traits = record["traits"]?.objectValue ?? JSONObject()
        for trait in booleanTraits {
            traits[trait] = .bool(traits[trait]?.boolValue ?? false)
        }
        traits["ip_address"] = .string(ip)
        if let network = network(of: ip, prefixLength: prefixLength) {
            traits["network"] = .string(network)
        }
        model["traits"] = .object(camelCased(traits))
        return model
    }

    /// `iso_code` → `isoCode`, for the object's own keys only.
    private static func camelCased(_ object: JSONObject) -> JSONObject {
        JSONObject(
            object.map { key, value in
                let parts = key.split(separator: "_", omittingEmptySubsequences: false)
                let name = parts.enumerated().map { index, part in index == 0 ? String(part) : part.prefix(1).uppercased() + part.dropFirst() }
                return (key: name.joined(), value: value)
            })
    }

    /// `89.160.20.128/25`: the network the record covers, `ip` with its host bits cleared.
    private static func network(of ip: String, prefixLength: Int) -> String? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let family = ip.contains(":") ? AF_INET6 : AF_INET
        guard inet_pton(family, ip, &bytes) == 1 else { return nil }
        let length = family == AF_INET ? 4 : 16
        let prefix = min(prefixLength, length * 8)
        for index in 0..<length {
            let kept = min(max(prefix - index * 8, 0), 8)
            bytes[index] &= kept == 8 ? 0xFF : ~(0xFF >> UInt8(kept))
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return text.withUnsafeBufferPointer { "\(String(cString: $0.baseAddress!))/\(prefix)" }
    }
}
