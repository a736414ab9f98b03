import Compression

/// Archives built byte by byte, so tests can make the hostile ones no archiver writes: names that leave the
/// folder, links, sizes that lie.
enum ArchiveBytes {
    struct ZipEntry {
        var name: String
        var content: [UInt8]
        var deflated = true
        /// The method the headers name; deflate or stored by `deflated` when nil, with `content` written as it is otherwise.
        var method: UInt16?
        /// What the headers claim the content inflates to; the real size when nil.
        var declaredSize: UInt32?
        /// Unix mode in the upper half of the external attributes: a regular file by default.
        var mode: UInt32 = 0o100644
        /// UTF-8 names; bit 0 says encrypted.
        var flags: UInt16 = 0x0800
    }

    /// A .zip with `entries`; `declaredCount` overrides the end record's entry count.
    static func zip(_ entries: [ZipEntry], declaredCount: UInt16? = nil) -> [UInt8] {
        var output: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let stored = entry.deflated && entry.method == nil ? Zlib.deflateRaw(entry.content) : entry.content
            let method = entry.method ?? (entry.deflated ? 8 : 0)
            let size = entry.declaredSize ?? UInt32(entry.content.count)
            let crc = Zlib.crc32(entry.content)
            let offset = UInt32(output.count)
            output.append(littleEndian: UInt32(0x0403_4b50))
            output.append(littleEndian: UInt16(20))
            output.append(littleEndian: entry.flags)
            output.append(littleEndian: method)
            output.append(littleEndian: UInt32(0x0021_0000))  // 1980-01-01 00:00
            output.append(littleEndian: crc)
            output.append(littleEndian: UInt32(stored.count))
            output.append(littleEndian: size)
            output.append(littleEndian: UInt16(name.count))
            output.append(littleEndian: UInt16(0))
            output += name + stored

            central.append(littleEndian: UInt32(0x0201_4b50))
            central.append(littleEndian: UInt16(0x031E))  // made by Unix
            central.append(littleEndian: UInt16(20))
            central.append(littleEndian: entry.flags)
            central.append(littleEndian: method)
            central.append(littleEndian: UInt32(0x0021_0000))
            central.append(littleEndian: crc)
            central.append(littleEndian: UInt32(stored.count))
            central.append(littleEndian: size)
            central.append(littleEndian: UInt16(name.count))
            central += [UInt8](repeating: 0, count: 8)  // extra, comment, disk, internal attributes
            central.append(littleEndian: entry.mode << 16)
            central.append(littleEndian: offset)
            central += name
        }
        let centralOffset = UInt32(output.count)
        output += central
        output.append(littleEndian: UInt32(0x0605_4b50))
        output.append(littleEndian: UInt32(0))
        output.append(littleEndian: declaredCount ?? UInt16(entries.count))
        output.append(littleEndian: declaredCount ?? UInt16(entries.count))
        output.append(littleEndian: UInt32(central.count))
        output.append(littleEndian: centralOffset)
        output.append(littleEndian: UInt16(0))
        return output
    }

    /// A ustar .tar.gz; `type` is the tar entry type ("0" a file, "2" a symbolic link, "5" a folder).
    static func tarGz(_ entries: [(name: String, content: [UInt8], type: Character)]) -> [UInt8] {
        Zlib.gzip(tar(entries))
    }

    static func tar(_ entries: [(name: String, content: [UInt8], type: Character)]) -> [UInt8] {
        var tar: [UInt8] = []
        for entry in entries {
            var header = [UInt8](repeating: 0, count: 512)
            header.replaceSubrange(0..<min(100, entry.name.utf8.count), with: entry.name.utf8.prefix(100))
            header.replaceSubrange(100..<107, with: "0000644".utf8)
            let size = String(entry.content.count, radix: 8)
            header.replaceSubrange(124..<135, with: (String(repeating: "0", count: 11 - size.count) + size).utf8)
            header[156] = entry.type.asciiValue ?? 0
            header.replaceSubrange(257..<263, with: "ustar\0".utf8)
            header.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
            let checksum = String(header.reduce(0) { $0 + Int($1) }, radix: 8)
            header.replaceSubrange(148..<155, with: (String(repeating: "0", count: 6 - checksum.count) + checksum + "\0").utf8)
            tar += header + entry.content
            tar += [UInt8](repeating: 0, count: (512 - entry.content.count % 512) % 512)
        }
        return tar + [UInt8](repeating: 0, count: 1024)
    }
}

extension [UInt8] {
    fileprivate mutating func append<Integer: FixedWidthInteger>(littleEndian value: Integer) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
