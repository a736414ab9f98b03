import Foundation

/// The non-blank lines of an events file (or standard input), numbered from 1, read as bytes on a thread of
/// their own and handed over in batches: no `String` per line and no hand-off per event.
///
/// A line ends at `\n`; a `\r` before it is dropped. Lines of only spaces and tabs are skipped but counted.
/// At most `batchesAhead` batches wait unread, so a file larger than memory streams through.
struct EventLineReader: AsyncSequence {
    typealias Line = (number: Int, bytes: [UInt8])

    /// A path, or nil / "-" for standard input.
    var path: String?
    var batchSize = 256
    var batchesAhead = 8

    func makeAsyncIterator() -> Iterator {
        let (batches, continuation) = AsyncThrowingStream.makeStream(of: [Line].self, throwing: (any Error).self)
        let room = DispatchSemaphore(value: batchesAhead)
        let reader = Thread { [path, batchSize] in
            do {
                try Self.read(path: path, batchSize: batchSize) { batch in
                    room.wait()
                    continuation.yield(batch)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        reader.name = "event-line-reader"
        reader.start()
        return Iterator(batches: batches.makeAsyncIterator(), room: room)
    }

    struct Iterator: AsyncIteratorProtocol {
        var batches: AsyncThrowingStream<[Line], any Error>.Iterator
        let room: DispatchSemaphore

        mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> [Line]? {
            let batch = try await batches.next(isolation: actor)
            if batch != nil { room.signal() }
            return batch
        }

        mutating func next() async throws -> [Line]? {
            try await next(isolation: nil)
        }
    }

    private static func read(path: String?, batchSize: Int, deliver: ([Line]) -> Void) throws {
        let name = path.flatMap { $0 == "-" ? nil : $0 }
        let descriptor = name.map { open($0, O_RDONLY | O_CLOEXEC) } ?? STDIN_FILENO
        guard descriptor >= 0 else {
            throw CommandFailure("Could not read the events file \(name ?? "")", exitCode: 66)
        }
        defer { if name != nil { close(descriptor) } }

        var batch: [Line] = []
        var number = 0
        func take(_ line: UnsafeBufferPointer<UInt8>) {
            number += 1
            var end = line.count
            if end > 0 && line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let content = UnsafeBufferPointer(rebasing: line[..<end])
            guard content.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return }
            batch.append((number, Array(content)))
            if batch.count == batchSize {
                deliver(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }

        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        // The start of a line the last chunk ended inside.
        var unfinished: [UInt8] = []
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw CommandFailure("Could not read the events from \(name ?? "stdin"): \(reason)", exitCode: 66)
            }
            if count == 0 { break }
            chunk.withUnsafeBufferPointer { buffer in
                let filled = UnsafeBufferPointer(rebasing: buffer[..<count])
                var start = 0
                while start < count, let found = memchr(filled.baseAddress! + start, Int32(UInt8(ascii: "\n")), count - start) {
                    let end = filled.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if unfinished.isEmpty {
                        take(UnsafeBufferPointer(rebasing: filled[start..<end]))
                    } else {
                        unfinished += filled[start..<end]
                        unfinished.withUnsafeBufferPointer { take($0) }
                        unfinished.removeAll(keepingCapacity: true)
                    }
                    start = end + 1
                }
                unfinished += filled[start...]
            }
        }
        if !unfinished.isEmpty { unfinished.withUnsafeBufferPointer { take($0) } }
        if !batch.isEmpty { deliver(batch) }
    }
}
