/// A minimal ustar writer, for npm-style tarballs (gzip them with `Zlib.gzip`).
public enum TarWriter {
    /// `files` (path → content) inside the folder `folder`, as npm packs them under `package/`.
    public static func tar(_ files: [String: String], folder: String) -> [UInt8] {
        var output: [UInt8] = []
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let data = Array(content.utf8)
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int, length: Int) {
                for (index, byte) in text.utf8.prefix(length).enumerated() { header[offset + index] = byte }
            }
            put("\(folder)/\(path)", at: 0, length: 100)
            put("0000644", at: 100, length: 8)
            put("0000000", at: 108, length: 8)
            put("0000000", at: 116, length: 8)
            put(String(data.count, radix: 8).leftPadded(to: 11), at: 124, length: 12)
            put("00000000000", at: 136, length: 12)
            put("0", at: 156, length: 1)
            put("ustar", at: 257, length: 6)
            put("00", at: 263, length: 2)
            for index in 148..<156 { header[index] = 0x20 }
            let checksum = header.reduce(0) { $0 + Int($1) }
            put(String(checksum, radix: 8).leftPadded(to: 6), at: 148, length: 7)
            output += header + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        }
        return output + [UInt8](repeating: 0, count: 1024)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
