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
            guard !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else {
                throw PluginArchiveError("The archive has a path outside its folder: '\(path)'")
            }
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
}

/// `.zip` entries through ZIPFoundation, counting what inflating actually gives.
private enum ZipReader {
    /// Thrown from inside ZIPFoundation's consumer to stop inflating at the limit.
    private struct SizeLimitReached: Error {}

    static func entries(of bytes: [UInt8]) throws(PluginArchiveError) -> [(path: String, content: [UInt8])] {
        let declaredCount = try declaredEntryCount(bytes)
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw PluginArchiveError("Could not read the .zip archive: \(error)")
        }
        var entries: [(path: String, content: [UInt8])] = []
        var seen = 0
        var total = 0
        for entry in archive {
            seen += 1
            guard seen <= PluginArchive.maximumFileCount else { throw .tooManyFiles }
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
                    checksum = try archive.extract(entry) { chunk in
                        total += chunk.count
                        guard total <= PluginArchive.maximumTotalSize else { throw SizeLimitReached() }
                        content.append(contentsOf: chunk)
                    }
                } catch is SizeLimitReached {
                    throw .tooLarge
                } catch {
                    throw PluginArchiveError("Could not read '\(path)' in the .zip archive: \(error)")
                }
                guard checksum == entry.checksum else {
                    throw PluginArchiveError("'\(path)' in the .zip archive is damaged or encrypted (its checksum does not match)")
                }
                entries.append((path, content))
            }
        }
        // ZIPFoundation stops at the first central directory record it can't read; that is damage, not the end.
        if let declaredCount, seen < declaredCount {
            throw PluginArchiveError("The .zip archive's central directory is damaged")
        }
        return entries
    }

    /// The entry count of the end-of-central-directory record, nil for zip64 (whose count is elsewhere).
    /// The record must be in the last 64 KiB + 22 bytes (its comment is at most 64 KiB), so ZIPFoundation's
    /// search for it, which would otherwise scan the whole upload, stops there.
    private static func declaredEntryCount(_ bytes: [UInt8]) throws(PluginArchiveError) -> Int? {
        guard bytes.count >= 22 else { throw PluginArchiveError("The .zip archive is truncated") }
        let lowest = max(0, bytes.count - 22 - 65_535)
        guard
            let end = stride(from: bytes.count - 22, through: lowest, by: -1).first(where: {
                bytes[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 0x05, 0x06])
            })
        else { throw PluginArchiveError("The .zip archive has no central directory") }
        let count = Int(bytes[end + 10]) | Int(bytes[end + 11]) << 8
        if count == 0xFFFF { return nil }
        guard count <= PluginArchive.maximumFileCount else { throw .tooManyFiles }
        return count
    }
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
