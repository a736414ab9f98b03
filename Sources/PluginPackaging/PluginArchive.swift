import Compression
package import Foundation
import ZIPFoundation

/// Reads and writes plugin archives: `.zip` (through ZIPFoundation), and `.tar.gz` as GitHub and npm serve them.
///
/// Archives come from users and the internet, so reading is bounded by what is actually decompressed
/// (total size, file count), never by sizes the archive declares, and refuses links and paths that would
/// leave the plugin's folder.
package enum PluginArchive {
    package static let maximumTotalSize = 50 * 1024 * 1024
    package static let maximumFileCount = 10_000

    /// The archive's files by path. When every file is inside one top folder (`repo-main/`,
    /// npm's `package/`), paths are relative to it.
    package static func files(of data: [UInt8]) throws(PluginArchiveError) -> [String: Data] {
        let entries: [(path: String, content: [UInt8])]
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            entries = try ZipReader.entries(of: data)
        } else if Zlib.looksLikeGzip(data) {
            let tar: [UInt8]
            do {
                tar = try Zlib.gunzip(data, maximumOutput: maximumTotalSize)
            } catch {
                throw error.exceedsLimit
                    ? .tooLarge : PluginArchiveError("Could not read the archive as .tar.gz: \(error)")
            }
            entries = try TarReader(bytes: tar).entries()
        } else {
            throw PluginArchiveError("Could not read the archive as .zip or .tar.gz")
        }
        return try normalized(entries)
    }

    private static func normalized(_ entries: [(path: String, content: [UInt8])]) throws(PluginArchiveError) -> [String: Data] {
        var files: [String: Data] = [:]
        for (path, content) in entries {
            // A backslash is a separator on Windows, where `..\..\x` would leave the folder.
            guard !path.hasPrefix("/"), !path.contains("\\") else {
                throw PluginArchiveError("The archive has a path outside its folder: '\(path)'")
            }
            // C file APIs would end the name there: `index.js\0.txt` would be written as `index.js`.
            guard !path.contains("\0") else { throw PluginArchiveError("The archive has a path with a NUL byte in it") }
            let components = path.split(separator: "/").filter { $0 != "." }
            guard !components.contains("..") else {
                throw PluginArchiveError("The archive has a path outside its folder: '\(path)'")
            }
            if components.isEmpty || components.contains(where: { $0 == "__MACOSX" || $0 == ".DS_Store" }) { continue }
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
    package static func zip(_ files: [String: Data], folder: String) throws(PluginArchiveError) -> [UInt8] {
        do {
            let archive = try Archive(accessMode: .create)
            for (path, content) in files.sorted(by: { $0.key < $1.key }) {
                try archive.addEntry(
                    with: "\(folder)/\(path)", type: .file, uncompressedSize: Int64(content.count),
                    modificationDate: fixedModificationDate, compressionMethod: .deflate
                ) { position, size in
                    content.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let data = archive.data else { throw PluginArchiveError("The .zip archive could not be written") }
            return Array(data)
        } catch let error as PluginArchiveError {
            throw error
        } catch {
            throw PluginArchiveError("The .zip archive could not be written: \(error)")
        }
    }

    /// Entries carry a date; a fixed one (the earliest a .zip can hold) keeps the bytes the same for the same files.
    private static let fixedModificationDate = Date(timeIntervalSince1970: 315_532_800)
}

package struct PluginArchiveError: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }

    static let tooLarge = PluginArchiveError("The archive holds more than \(PluginArchive.maximumTotalSize) bytes")
    static let tooManyFiles = PluginArchiveError("The archive has more than \(PluginArchive.maximumFileCount) files")
    static let damagedDirectory = PluginArchiveError("The .zip archive's central directory is damaged")
}

/// `.zip` entries through ZIPFoundation, in memory, once `ZipPreflight` has found nothing it can't survive.
private enum ZipReader {
    static func entries(of bytes: [UInt8]) throws(PluginArchiveError) -> [(path: String, content: [UInt8])] {
        let count = try ZipPreflight(bytes: bytes).checkedEntryCount()
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw PluginArchiveError("Could not read the .zip archive: \(error)")
        }
        var entries: [(path: String, content: [UInt8])] = []
        var seen = 0
        for entry in archive {
            seen += 1
            let path = entry.path
            switch entry.type {
            case .directory:
                continue
            case .symlink:
                throw PluginArchiveError("'\(path)' in the .zip archive is a symbolic link; a plugin archive holds only files")
            case .file:
                var content: [UInt8] = []
                let checksum: CRC32
                do {
                    checksum = try archive.extract(entry) { content.append(contentsOf: $0) }
                } catch {
                    throw PluginArchiveError("Could not read '\(path)' in the .zip archive: \(error)")
                }
                guard checksum == entry.checksum else {
                    throw PluginArchiveError("'\(path)' in the .zip archive is damaged (its checksum does not match)")
                }
                entries.append((path, content))
            }
        }
        // ZIPFoundation ends the entries at the first one it can't read; that is damage, not the end.
        guard seen == count else { throw .damagedDirectory }
        return entries
    }
}

/// What ZIPFoundation 0.9.20 can't survive in a hostile .zip, checked before it reads (found by fuzzing):
/// its in-memory file traps on a read past the end, so every offset it will seek to must be inside (backed by
/// a file instead, it leaks the path on Linux); it leaks the archive when the end record is cut short; and its
/// inflate loop never ends when a deflate stream runs past the end of the archive, so each stream is inflated
/// here first, within the size limit, and must end inside its entry. That counts what inflating actually gives,
/// so headers that lie about sizes can't pass the limit. zip64 is refused rather than followed: plugins are far
/// below its 4 GiB.
private struct ZipPreflight {
    let bytes: [UInt8]

    /// The number of entries, at most `maximumFileCount`: ZIPFoundation reads no more than this.
    func checkedEntryCount() throws(PluginArchiveError) -> Int {
        guard bytes.count >= 22 else { throw PluginArchiveError("The .zip archive is truncated") }
        // ZIPFoundation takes the end record nearest the end; its comment is at most 64 KiB.
        let lowest = max(0, bytes.count - 22 - 65_535)
        guard let end = stride(from: bytes.count - 22, through: lowest, by: -1).first(where: { u32($0) == 0x0605_4b50 }) else {
            throw PluginArchiveError("The .zip archive has no central directory")
        }
        // ZIPFoundation gives up on a record whose comment runs past the end, and leaks the archive doing so.
        guard end + 22 + u16(end + 20) <= bytes.count else { throw PluginArchiveError("The .zip archive is truncated") }
        guard end < 20 || u32(end - 20) != 0x0706_4b50 else { throw Self.zip64 }
        let count = u16(end + 10)
        guard count <= PluginArchive.maximumFileCount else { throw .tooManyFiles }
        var record = u32(end + 16)
        var total = 0
        for _ in 0..<count {
            guard record <= bytes.count - 46, u32(record) == 0x0201_4b50 else { throw .damagedDirectory }
            let next = record + 46 + u16(record + 28) + u16(record + 30) + u16(record + 32)
            guard next <= bytes.count else { throw .damagedDirectory }
            let name = String(decoding: bytes[(record + 46)..<(record + 46 + u16(record + 28))], as: UTF8.self)
            let flags = u16(record + 8)
            let compressedSize = u32(record + 20)
            let size = u32(record + 24)
            let localHeader = u32(record + 42)
            guard compressedSize != 0xFFFF_FFFF, size != 0xFFFF_FFFF, localHeader != 0xFFFF_FFFF, u16(record + 34) != 0xFFFF
            else { throw Self.zip64 }
            guard flags & 1 == 0 else { throw PluginArchiveError("'\(name)' in the .zip archive is encrypted") }
            guard localHeader <= bytes.count - 30, u32(localHeader) == 0x0403_4b50 else { throw .damagedDirectory }
            let data = localHeader + 30 + u16(localHeader + 26) + u16(localHeader + 28)
            // Sizes come from the central directory, the method from the local header, as ZIPFoundation reads them.
            switch u16(localHeader + 8) {
            case 0:
                guard data + size <= bytes.count else { throw .damagedDirectory }
                total += size
            case 8:
                guard data + compressedSize <= bytes.count else { throw .damagedDirectory }
                do {
                    total += try Zlib.inflateRaw(
                        bytes[data..<(data + compressedSize)], maximumOutput: PluginArchive.maximumTotalSize - total
                    ).count
                } catch {
                    throw error.exceedsLimit ? .tooLarge : PluginArchiveError("Could not inflate '\(name)' in the .zip archive: \(error)")
                }
            case let method:
                throw PluginArchiveError("'\(name)' in the .zip archive uses compression method \(method); use deflate")
            }
            guard total <= PluginArchive.maximumTotalSize else { throw .tooLarge }
            if flags & 8 != 0 {
                // A data descriptor is read after the data, whose size is taken by the central directory's method.
                guard data + (u16(record + 10) == 0 ? size : compressedSize) <= bytes.count else { throw .damagedDirectory }
            }
            record = next
        }
        return count
    }

    private static let zip64 = PluginArchiveError("The .zip archive is a zip64 one; a plugin archive is far smaller, use plain .zip")

    private func u16(_ index: Int) -> Int { Int(bytes[index]) | Int(bytes[index + 1]) << 8 }
    private func u32(_ index: Int) -> Int { u16(index) | u16(index + 2) << 16 }
}

/// A ustar reader with pax (`x`) and GNU long-name (`L`) headers, as GitHub's and npm's tarballs use.
private struct TarReader {
    let bytes: [UInt8]

    func entries() throws(PluginArchiveError) -> [(path: String, content: [UInt8])] {
        var entries: [(path: String, content: [UInt8])] = []
        var offset = 0
        var nextName: String?
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            let size = Self.octal(header, from: 124, length: 12)
            let type = header[offset + 156]
            let dataStart = offset + 512
            guard let size, size <= bytes.count - dataStart else { throw PluginArchiveError("The .tar archive is truncated") }
            let data = Array(bytes[dataStart..<(dataStart + size)])
            offset = dataStart + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "x"):
                nextName = Self.paxPath(data)
            case UInt8(ascii: "L"):
                nextName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "0"), 0:
                let name = nextName ?? Self.name(header)
                nextName = nil
                entries.append((name, data))
                guard entries.count <= PluginArchive.maximumFileCount else { throw .tooManyFiles }
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                let name = nextName ?? Self.name(header)
                throw PluginArchiveError("'\(name)' in the .tar archive is a link; a plugin archive holds only files")
            default:
                nextName = nil  // directories, global pax headers: nothing to keep
            }
        }
        return entries
    }

    private static func name(_ header: ArraySlice<UInt8>) -> String {
        let name = string(header, from: 0, length: 100)
        let isUstar = header.dropFirst(257).prefix(5).elementsEqual("ustar".utf8)
        let prefix = isUstar ? string(header, from: 345, length: 155) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private static func string(_ header: ArraySlice<UInt8>, from relative: Int, length: Int) -> String {
        String(decoding: header.dropFirst(relative).prefix(length).prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A size field: octal digits, space or NUL padded; nil when it is anything else.
    private static func octal(_ header: ArraySlice<UInt8>, from relative: Int, length: Int) -> Int? {
        let digits = header.dropFirst(relative).prefix(length).drop { $0 == 0x20 }.prefix { $0 != 0 && $0 != 0x20 }
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x37).contains($0) }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self), radix: 8)
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
