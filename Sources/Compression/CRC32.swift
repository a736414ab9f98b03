internal import CQuillZlib

extension Zlib {
    /// The CRC-32 of `data` (zip's and gzip's checksum).
    public static func crc32(_ data: some Collection<UInt8>) -> UInt32 {
        let bytes = Array(data)
        return bytes.withUnsafeBufferPointer { buffer in
            var crc: UInt = CQuillZlib.crc32(0, nil, 0)
            var offset = 0
            // zlib takes a 32-bit length; feed large inputs in parts.
            while offset < buffer.count {
                let length = min(buffer.count - offset, Int(UInt32.max))
                crc = CQuillZlib.crc32(crc, buffer.baseAddress! + offset, UInt32(length))
                offset += length
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
