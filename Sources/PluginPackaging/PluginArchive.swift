import Compression
package import Foundation

/// Reads and writes plugin archives: `.zip`, and `.tar.gz` as GitHub and npm serve them.
///
/// Archives come from users and the internet, so reading is bounded (total size, file count) and
/// refuses paths that would leave the plugin's folder.
package enum PluginArchive {
    package static let maximumTotalSize = 50 * 1024 * 1024
    package static let maximumFileCount = 10_000

    /// The archive's files by path. When every file is inside one top folder (`repo-main/`,
    /// npm's `package/`), paths are relative to it.
    package static func files(of data: [UInt8]) throws(PluginArchiveError) -> [String: Data] {
        let entries: [(String, [UInt8])]
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            entries = try ZipReader(bytes: data).entries()
        } else if Zlib.looksLikeGzip(data) {
            let tar: [UInt8]
            do {
                tar = try Zlib.gunzip(data, maximumOutput: maximumTotalSize)
            } catch {
                throw PluginArchiveError("Could not read the archive as .tar.gz: \(error)")
            }
            entries = try TarReader(bytes: tar).entries()
        } else {
            throw PluginArchiveError("Could not read the archive as .zip or .tar.gz")
        }
        return try normalized(entries)
    }

    private static func normalized(_ entries: [(String, [UInt8])]) throws(PluginArchiveError) -> [String: Data] {
        var files: [String: Data] = [:]
        for (path, content) in entries {
            let components = path.split(separator: "/", omittingEmptySubsequences: true)
            guard !path.hasPrefix("/"), !components.contains(where: { $0 == ".." }) else {
                throw PluginArchiveError("The archive has a path outside its folder: '\(path)'")
            }
            if components.contains(where: { $0 == "__MACOSX" || $0 == ".DS_Store" }) || components.isEmpty { continue }
            files[components.joined(separator: "/")] = Data(content)
        }
        let tops = Set(files.keys.map { $0.split(separator: "/", maxSplits: 1)[0] })
        if tops.count == 1, let top = tops.first, files.keys.allSatisfy({ $0.hasPrefix(top + "/") }) {
            files = Dictionary(uniqueKeysWithValues: files.map { (String($0.key.dropFirst(top.count + 1)), $0.value) })
        }
        guard !files.isEmpty else { throw PluginArchiveError("The archive is empty") }
        return files
    }

    /// A `.zip` of `files` inside the folder `folder`, deflated; the same files give the same bytes.
    package static func zip(_ files: [String: Data], folder: String) -> [UInt8] {
        var output: [UInt8] = []
        var central: [UInt8] = []
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let name = Array("\(folder)/\(path)".utf8)
            let plain = Array(content)
            let deflated = Zlib.deflateRaw(plain)
            let (method, stored): (UInt16, [UInt8]) = deflated.count < plain.count ? (8, deflated) : (0, plain)
            let crc = Zlib.crc32(plain)
            let offset = UInt32(output.count)
            output.append(littleEndian: UInt32(0x0403_4b50))
            output.append(littleEndian: UInt16(20))  // version needed
            output.append(littleEndian: UInt16(0x0800))  // UTF-8 names
            output.append(littleEndian: method)
            output.append(littleEndian: UInt16(0))  // time
            output.append(littleEndian: UInt16(0x21))  // date: 1980-01-01
            output.append(littleEndian: crc)
            output.append(littleEndian: UInt32(stored.count))
            output.append(littleEndian: UInt32(plain.count))
            output.append(littleEndian: UInt16(name.count))
            output.append(littleEndian: UInt16(0))
            output.append(contentsOf: name)
            output.append(contentsOf: stored)

            central.append(littleEndian: UInt32(0x0201_4b50))
            central.append(littleEndian: UInt16(0x031E))  // made by: Unix, 3.0
            central.append(littleEndian: UInt16(20))
            central.append(littleEndian: UInt16(0x0800))
            central.append(littleEndian: method)
            central.append(littleEndian: UInt16(0))
            central.append(littleEndian: UInt16(0x21))
            central.append(littleEndian: crc)
            central.append(littleEndian: UInt32(stored.count))
            central.append(littleEndian: UInt32(plain.count))
            central.append(littleEndian: UInt16(name.count))
            central.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])  // extra, comment, disk, internal attributes
            central.append(littleEndian: UInt32(0o100644) << 16)  // external attributes: a regular file
            central.append(littleEndian: offset)
            central.append(contentsOf: name)
        }
        let centralOffset = UInt32(output.count)
        output.append(contentsOf: central)
        output.append(littleEndian: UInt32(0x0605_4b50))
        output.append(littleEndian: UInt32(0))  // disk numbers
        output.append(littleEndian: UInt16(files.count))
        output.append(littleEndian: UInt16(files.count))
        output.append(littleEndian: UInt32(central.count))
        output.append(littleEndian: centralOffset)
        output.append(littleEndian: UInt16(0))
        return output
    }
}

package struct PluginArchiveError: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// A `.zip` reader over the central directory: stored and deflated entries (no zip64, no encryption).
private struct ZipReader {
    let bytes: [UInt8]

    func entries() throws(PluginArchiveError) -> [(String, [UInt8])] {
        guard bytes.count >= 22 else { throw PluginArchiveError("The .zip archive is truncated") }
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
        var end = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while end >= lowest, u32(at: end) != 0x0605_4b50 { end -= 1 }
        guard end >= lowest else { throw PluginArchiveError("The .zip archive has no central directory") }
        let count = Int(u16(at: end + 10))
        var offset = Int(u32(at: end + 16))
        guard count <= PluginArchive.maximumFileCount else {
            throw PluginArchiveError("The archive has more than \(PluginArchive.maximumFileCount) files")
        }
        var entries: [(String, [UInt8])] = []
        var total = 0
        for _ in 0..<count {
            guard offset + 46 <= bytes.count, u32(at: offset) == 0x0201_4b50 else {
                throw PluginArchiveError("The .zip archive's central directory is damaged")
            }
            let flags = u16(at: offset + 8)
            let method = u16(at: offset + 10)
            let compressedSize = Int(u32(at: offset + 20))
            let size = Int(u32(at: offset + 24))
            let nameLength = Int(u16(at: offset + 28))
            let extraLength = Int(u16(at: offset + 30))
            let commentLength = Int(u16(at: offset + 32))
            let localOffset = Int(u32(at: offset + 42))
            guard offset + 46 + nameLength <= bytes.count else { throw PluginArchiveError("The .zip archive is truncated") }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            offset += 46 + nameLength + extraLength + commentLength
            if name.hasSuffix("/") { continue }
            guard flags & 1 == 0 else { throw PluginArchiveError("'\(name)' in the .zip archive is encrypted") }
            guard localOffset + 30 <= bytes.count, u32(at: localOffset) == 0x0403_4b50 else {
                throw PluginArchiveError("The .zip archive's entry '\(name)' is damaged")
            }
            let start = localOffset + 30 + Int(u16(at: localOffset + 26)) + Int(u16(at: localOffset + 28))
            guard start + compressedSize <= bytes.count else { throw PluginArchiveError("The .zip archive is truncated") }
            total += size
            guard total <= PluginArchive.maximumTotalSize else {
                throw PluginArchiveError("The archive holds more than \(PluginArchive.maximumTotalSize) bytes")
            }
            let stored = bytes[start..<(start + compressedSize)]
            switch method {
            case 0:
                entries.append((name, Array(stored)))
            case 8:
                do {
                    entries.append((name, try Zlib.inflateRaw(stored, maximumOutput: size)))
                } catch {
                    throw PluginArchiveError("Could not inflate '\(name)' in the .zip archive: \(error)")
                }
            default:
                throw PluginArchiveError("'\(name)' in the .zip archive uses compression method \(method); use deflate")
            }
        }
        return entries
    }

    private func u16(at index: Int) -> UInt16 { UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8 }
    private func u32(at index: Int) -> UInt32 { UInt32(u16(at: index)) | UInt32(u16(at: index + 2)) << 16 }
}

/// A ustar reader with pax (`x`) and GNU long-name (`L`) headers, as GitHub's and npm's tarballs use.
private struct TarReader {
    let bytes: [UInt8]

    func entries() throws(PluginArchiveError) -> [(String, [UInt8])] {
        var entries: [(String, [UInt8])] = []
        var offset = 0
        var nextName: String?
        while offset + 512 <= bytes.count {
            let headerStart = offset
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            let size = Self.octal(header, from: 124, length: 12)
            let type = header[headerStart + 156]
            let dataStart = offset + 512
            guard size >= 0, dataStart + size <= bytes.count else { throw PluginArchiveError("The .tar archive is truncated") }
            let data = Array(bytes[dataStart..<(dataStart + size)])
            offset = dataStart + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "x"):
                nextName = Self.paxPath(data)
            case UInt8(ascii: "L"):
                nextName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "0"), 0:
                let name = nextName ?? Self.name(header, base: headerStart)
                nextName = nil
                entries.append((name, data))
                guard entries.count <= PluginArchive.maximumFileCount else {
                    throw PluginArchiveError("The archive has more than \(PluginArchive.maximumFileCount) files")
                }
            default:
                nextName = nil  // directories, links, global pax headers: nothing to keep
            }
        }
        return entries
    }

    private static func name(_ header: ArraySlice<UInt8>, base: Int) -> String {
        let name = string(header, from: base, length: 100)
        let isUstar = header[(base + 257)..<(base + 262)].elementsEqual("ustar".utf8)
        let prefix = isUstar ? string(header, from: base + 345, length: 155) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private static func string(_ header: ArraySlice<UInt8>, from start: Int, length: Int) -> String {
        String(decoding: header[start..<(start + length)].prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func octal(_ header: ArraySlice<UInt8>, from relative: Int, length: Int) -> Int {
        let start = header.startIndex + relative
        let text = String(decoding: header[start..<(start + length)].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        return Int(text.trimmingCharacters(in: .whitespaces), radix: 8) ?? -1
    }

    /// The `path` record of a pax header ("LEN path=VALUE\n" records).
    private static func paxPath(_ data: [UInt8]) -> String? {
        for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let field = record[record.index(after: space)...]
            if field.hasPrefix("path=") { return String(field.dropFirst(5)) }
        }
        return nil
    }
}

extension [UInt8] {
    fileprivate mutating func append<Integer: FixedWidthInteger>(littleEndian value: Integer) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
