internal import CMaxMindDB
public import OrderedJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A MaxMind database (`.mmdb`, e.g. GeoLite2 City), opened once and read from any thread.
///
/// This object is the only owner of libmaxminddb's handle: it opens it in `init` and closes it in
/// `deinit`. Lookups only read the memory-mapped file, which libmaxminddb documents as thread-safe.
public final class GeoIPDatabase: @unchecked Sendable {
    // @unchecked: `handle` is written only by MMDB_open in `init` and freed in `deinit`; in between
    // every use is a read-only lookup.
    private let handle: UnsafeMutablePointer<MMDB_s>
    /// The file the database was opened from.
    public let path: String

    /// Opens the database at `path`.
    ///
    /// - Throws: ``GeoIPError`` with libmaxminddb's reason and the path, when the file is missing,
    ///   unreadable or not a valid database.
    public init(path: String) throws(GeoIPError) {
        let handle = UnsafeMutablePointer<MMDB_s>.allocate(capacity: 1)
        errno = 0
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), handle)
        guard status == MMDB_SUCCESS else {
            let systemError = errno
            handle.deallocate()
            let reason = String(cString: MMDB_strerror(status))
            // libmaxminddb's "error opening the file" doesn't say why; the system's error does.
            let opening = status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR
            let detail = opening && systemError != 0 ? " (\(String(cString: strerror(systemError))))" : ""
            throw GeoIPError(description: "cannot open the GeoIP database \(path): \(reason)\(detail)")
        }
        self.handle = handle
        self.path = path
    }

    deinit {
        MMDB_close(handle)
        handle.deallocate()
    }

    /// The record for `ip` as the database stores it (MaxMind's snake_case JSON, e.g. `country.iso_code`).
    ///
    /// - Returns: `nil` when `ip` is not an IP address or the database has no record for it.
    /// - Throws: ``GeoIPError`` when the database's data is corrupt.
    public func record(for ip: String) throws(GeoIPError) -> JSONValue? {
        try lookup(ip)?.record
    }

    /// The record for `ip` as PostHog's plugins get it from `meta.geoip.locate`: the City model of
    /// MaxMind's `@maxmind/geoip2-node`, which camel-cases each record's keys (`country.isoCode`,
    /// `location.timeZone`) and adds `traits.ipAddress` and `traits.network`.
    ///
    /// - Returns: `nil` when `ip` is not an IP address or the database has no record for it.
    /// - Throws: ``GeoIPError`` when the database's data is corrupt.
    public func city(for ip: String) throws(GeoIPError) -> JSONValue? {
        guard let (record, prefixLength) = try lookup(ip), let object = record.objectValue else { return nil }
        return .object(GeoIP2Model.city(from: object, ip: ip, prefixLength: prefixLength))
    }

    /// The record and the prefix length of the network it covers, in `ip`'s own family.
    private func lookup(_ ip: String) throws(GeoIPError) -> (record: JSONValue, prefixLength: Int)? {
        var addressError: Int32 = 0
        var databaseError: Int32 = MMDB_SUCCESS
        var result = MMDB_lookup_string(handle, ip, &addressError, &databaseError)
        // Not an address (libmaxminddb parses numerically only), or IPv6 in an IPv4-only database.
        if addressError != 0 || databaseError == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR { return nil }
        guard databaseError == MMDB_SUCCESS else { throw corrupt(databaseError) }
        guard result.found_entry else { return nil }
        var list: UnsafeMutablePointer<MMDB_entry_data_list_s>?
        let status = MMDB_get_entry_data_list(&result.entry, &list)
        defer { MMDB_free_entry_data_list(list) }
        guard status == MMDB_SUCCESS else { throw corrupt(status) }
        var cursor = list
        let record = try Self.decode(&cursor)
        // An IPv4 address in an IPv6 database is found under ::a.b.c.d/(96 + its prefix).
        let isIPv4 = ip.contains(".") && !ip.contains(":")
        let prefixLength = Int(result.netmask) - (isIPv4 && handle.pointee.metadata.ip_version == 6 ? 96 : 0)
        return (record, max(prefixLength, 0))
    }

    private func corrupt(_ status: Int32) -> GeoIPError {
        GeoIPError(description: "the GeoIP database \(path) is corrupt: \(String(cString: MMDB_strerror(status)))")
    }

    /// Decodes the value at `cursor` (a map or array takes its members with it) and moves past it.
    private static func decode(_ cursor: inout UnsafeMutablePointer<MMDB_entry_data_list_s>?) throws(GeoIPError) -> JSONValue {
        guard let node = cursor else { throw GeoIPError(description: "a GeoIP record ends early") }
        var data = node.pointee.entry_data
        cursor = node.pointee.next
        switch Int32(data.type) {
        case MMDB_DATA_TYPE_MAP:
            var members: [(key: String, value: JSONValue)] = []
            for _ in 0..<data.data_size {
                guard case .string(let key) = try decode(&cursor) else {
                    throw GeoIPError(description: "a GeoIP record has a map key that is not a string")
                }
                members.append((key, try decode(&cursor)))
            }
            return .object(JSONObject(members))
        case MMDB_DATA_TYPE_ARRAY:
            var elements: [JSONValue] = []
            for _ in 0..<data.data_size {
                elements.append(try decode(&cursor))
            }
            return .array(elements)
        case MMDB_DATA_TYPE_UTF8_STRING:
            // Not NUL-terminated: the string is `data_size` bytes into the mapped file.
            let bytes = UnsafeRawBufferPointer(start: data.utf8_string, count: Int(data.data_size))
            return .string(String(decoding: bytes, as: UTF8.self))
        case MMDB_DATA_TYPE_DOUBLE: return JSONValue(data.double_value)
        case MMDB_DATA_TYPE_FLOAT: return JSONValue(Double(data.float_value))
        case MMDB_DATA_TYPE_UINT16: return .number(String(data.uint16))
        case MMDB_DATA_TYPE_UINT32: return .number(String(data.uint32))
        case MMDB_DATA_TYPE_INT32: return .number(String(data.int32))
        case MMDB_DATA_TYPE_UINT64: return .number(String(data.uint64))
        case MMDB_DATA_TYPE_UINT128:
            let value = UInt128(quill_mmdb_uint128_high(&data)) << 64 | UInt128(quill_mmdb_uint128_low(&data))
            return .number(String(value))
        case MMDB_DATA_TYPE_BOOLEAN: return .bool(data.boolean)
        case MMDB_DATA_TYPE_BYTES:
            let bytes = UnsafeRawBufferPointer(start: data.bytes, count: Int(data.data_size))
            return .array(bytes.map { JSONValue(Int($0)) })
        default:
            throw GeoIPError(description: "a GeoIP record has a value of unknown type \(data.type)")
        }
    }
}

/// A GeoIP database that can't be opened or read.
public struct GeoIPError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
