import Compression
import Foundation
import PluginPackaging
import Testing

@Suite struct PluginArchiveTests {
    private static let plugin: [String: Data] = [
        "plugin.json": Data(#"{"name": "hello"}"#.utf8),
        "index.js": Data("export function processEvent(event) { return event }\n".utf8),
        "lib/util.js": Data(repeating: 0x61, count: 10_000),
        "empty.txt": Data(),
    ]

    private func error(_ bytes: [UInt8]) -> String? {
        do {
            _ = try PluginArchive.files(of: bytes)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aZipItWroteReadsBackWithoutItsTopFolder() throws {
        let zip = try PluginArchive.zip(Self.plugin, folder: "hello-main")
        #expect(try PluginArchive.files(of: zip) == Self.plugin)
    }

    @Test func theSameFilesGiveTheSameZip() throws {
        #expect(try PluginArchive.zip(Self.plugin, folder: "p") == PluginArchive.zip(Self.plugin, folder: "p"))
    }

    @Test func keepsPathsWhenFilesAreNotInOneTopFolder() throws {
        let zip = ArchiveBytes.zip([
            .init(name: "plugin.json", content: Array("{}".utf8)), .init(name: "src/index.js", content: Array("x".utf8)),
        ])
        #expect(try PluginArchive.files(of: zip).keys.sorted() == ["plugin.json", "src/index.js"])
    }

    @Test func readsStoredAndDeflatedEntriesAndSkipsFoldersAndMacOSMetadata() throws {
        let zip = ArchiveBytes.zip([
            .init(name: "p/", content: [], deflated: false, mode: 0o040755),
            .init(name: "p/plugin.json", content: Array("{}".utf8), deflated: false),
            .init(name: "p/index.js", content: Array("let x = 1".utf8)),
            .init(name: "__MACOSX/p/._index.js", content: [1, 2, 3]),
            .init(name: "p/.DS_Store", content: [0]),
        ])
        #expect(try PluginArchive.files(of: zip) == ["plugin.json": Data("{}".utf8), "index.js": Data("let x = 1".utf8)])
    }

    @Test(arguments: ["../evil.js", "p/../../evil.js", "/etc/passwd", "p\\..\\..\\evil.js", "C:\\evil.js"])
    func refusesPathsThatLeaveTheFolder(_ path: String) {
        let zip = ArchiveBytes.zip([.init(name: path, content: Array("x".utf8))])
        #expect(error(zip) == "The archive has a path outside its folder: '\(path)'")
        let tar = ArchiveBytes.tarGz([(path, Array("x".utf8), "0")])
        #expect(error(tar) == "The archive has a path outside its folder: '\(path)'")
    }

    @Test func refusesANulInAPath() {
        let zip = ArchiveBytes.zip([.init(name: "p/index.js\u{0}.txt", content: Array("x".utf8))])
        #expect(error(zip) == "The archive has a path with a NUL byte in it")
    }

    @Test func refusesSymbolicLinks() {
        let zip = ArchiveBytes.zip([
            .init(name: "p/plugin.json", content: Array("{}".utf8)),
            .init(name: "p/index.js", content: Array("/etc/passwd".utf8), deflated: false, mode: 0o120777),
        ])
        #expect(error(zip) == "'p/index.js' in the .zip archive is a symbolic link; a plugin archive holds only files")
        let tar = ArchiveBytes.tarGz([("p/plugin.json", Array("{}".utf8), "0"), ("p/index.js", [], "2")])
        #expect(error(tar) == "'p/index.js' in the .tar archive is a link; a plugin archive holds only files")
    }

    @Test func stopsAZipBombByWhatInflatingGivesNotWhatTheHeadersSay() {
        // 60 MiB of zeros deflate to about 60 KiB; the headers claim 100 bytes.
        let bomb = ArchiveBytes.zip([.init(name: "p/index.js", content: [UInt8](repeating: 0, count: 60 << 20), declaredSize: 100)])
        #expect(bomb.count < 1 << 20)
        #expect(error(bomb) == "The archive holds more than \(PluginArchive.maximumTotalSize) bytes")
    }

    @Test func countsTheTotalOverEveryFile() {
        let file = [UInt8](repeating: 0x20, count: 20 << 20)
        let zip = ArchiveBytes.zip((1...3).map { .init(name: "p/\($0).js", content: file) })
        #expect(error(zip) == "The archive holds more than \(PluginArchive.maximumTotalSize) bytes")
        let tar = ArchiveBytes.tarGz((1...3).map { ("p/\($0).js", file, "0") })
        #expect(error(tar) == "The archive holds more than \(PluginArchive.maximumTotalSize) bytes")
    }

    @Test func limitsTheFileCount() {
        let entries = (0...PluginArchive.maximumFileCount).map { ArchiveBytes.ZipEntry(name: "p/\($0)", content: [], deflated: false) }
        let expected = "The archive has more than \(PluginArchive.maximumFileCount) files"
        #expect(error(ArchiveBytes.zip(entries)) == expected)
        // ZIPFoundation reads as many entries as the end record says, so that is the count to check.
        #expect(error(ArchiveBytes.zip(entries, declaredCount: 0xFFFF)) == expected)
        #expect(error(ArchiveBytes.tarGz(entries.map { ($0.name, [], "0") })) == expected)
    }

    @Test func namesDamagedArchives() throws {
        let zip = try PluginArchive.zip(Self.plugin, folder: "p")
        #expect(error(Array(zip.prefix(30))) == "The .zip archive has no central directory")
        #expect(error([0x50, 0x4B, 0x03, 0x04]) == "The .zip archive is truncated")
        // The end record promises one more entry than the central directory has.
        #expect(error(ArchiveBytes.zip([.init(name: "a", content: [1])], declaredCount: 2)) == "The .zip archive's central directory is damaged")
        var corrupted = ArchiveBytes.zip([.init(name: "p/index.js", content: Array("let x = 1".utf8), deflated: false)])
        corrupted[30 + "p/index.js".utf8.count] ^= 0xFF
        #expect(error(corrupted) == "'p/index.js' in the .zip archive is damaged (its checksum does not match)")
        #expect(error(Array("just some text".utf8)) == "Could not read the archive as .zip or .tar.gz")
        #expect(error(ArchiveBytes.zip([])) == "The archive is empty")
    }

    @Test func refusesZip64EncryptionAndOtherMethods() {
        #expect(
            error(ArchiveBytes.zip([.init(name: "a", content: [1], declaredSize: 0xFFFF_FFFF)]))
                == "The .zip archive is a zip64 one; a plugin archive is far smaller, use plain .zip")
        #expect(error(ArchiveBytes.zip([.init(name: "a", content: [1], flags: 0x0801)])) == "'a' in the .zip archive is encrypted")
        #expect(
            error(ArchiveBytes.zip([.init(name: "a", content: [1], deflated: false, method: 12)]))
                == "'a' in the .zip archive uses compression method 12; use deflate")
    }

    /// Found by fuzzing: a .zip whose entries' offsets point past its end trapped in ZIPFoundation's in-memory file.
    @Test func aZipWhoseOffsetsPointPastItsEndIsAnError() throws {
        let fuzzed = try #require(
            Data(
                base64Encoded: "UEsDBBQAAAAIAAAAIQC2PMy8UwAAAGQAAE6EMBQF0MtMBwpFVytlp1aC5JISi0AUMiWVBWClxSVFmXnpIJGU1LTE0pwSiJoqpdrYWgBQSwECFAMUAAAACAAAACEAtjzMvFMAAABkAAAAEwAAAAAAAAAAAAAApIEAAAAAaGVsbG8tbWFpbi9pbmRleC5qc1BLAQIUAxQAAAAIAAAAIQCf9HZ/RAAAAFEAAAAWAAAAAAAAAAAAAACkgYQAAABoZWxsby1tYWluL3BsdWdpbi5qc29uUEsFBgAAAAACAAIAhQAAAPwAAAAAAA=="
            ))
        #expect(error(Array(fuzzed)) != nil)
    }

    /// Found by fuzzing: ZIPFoundation leaked the archive when the end record's comment ran past the end.
    @Test func anEndRecordCutShortIsAnError() {
        var zip = ArchiveBytes.zip([.init(name: "a", content: [1])])
        zip[zip.count - 2] = 100  // the comment's length
        #expect(error(zip) == "The .zip archive is truncated")
    }

    /// ZIPFoundation's inflate loop waits for more input forever when a deflate stream doesn't end before the archive.
    @Test func aDeflateStreamThatRunsPastItsEntryIsAnError() {
        // A stored block that promises 65,535 bytes and holds two.
        let unending = ArchiveBytes.zip([.init(name: "p/index.js", content: [0x00, 0xFF, 0xFF, 0x00, 0x00, 0x61, 0x62], deflated: false, method: 8)])
        #expect(error(unending) == "Could not inflate 'p/index.js' in the .zip archive: truncated input")
    }

    @Test func readsTarballsAsGitHubAndNpmServeThem() throws {
        let tar = ArchiveBytes.tarGz([
            ("package/", [], "5"), ("package/plugin.json", Array("{}".utf8), "0"), ("package/./index.js", Array("x".utf8), "0"),
        ])
        #expect(try PluginArchive.files(of: tar) == ["plugin.json": Data("{}".utf8), "index.js": Data("x".utf8)])
        let tarBytes = ArchiveBytes.tar([("p/a", [UInt8](repeating: 1, count: 2000), "0")])
        #expect(error(Zlib.gzip(tarBytes.prefix(1000))) == "The .tar archive is truncated")
        #expect(error(Zlib.gzip(tarBytes.prefix(100))) == "The archive is empty")
    }
}
