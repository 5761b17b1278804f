import Foundation

/// Reads a file line by line in 4 MiB chunks: memory stays bounded however long the file is.
/// Lines end with `\n` (a `\r` before it is dropped); the last line may lack one.
public struct LineStream {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    public private(set) var lineNumber = 0

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportError(file: path, "cannot be opened for reading", fix: "check that the file exists and is readable")
        }
        self.handle = handle
    }

    /// The next line's bytes (without its end), or nil at the end of the file.
    public mutating func next() -> ArraySlice<UInt8>? {
        while true {
            let start = position
            let found: Int? = buffer.withUnsafeBufferPointer { bytes in
                guard start < bytes.count, let base = bytes.baseAddress,
                      let hit = memchr(base + start, 10, bytes.count - start) else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if let newline = found {
                var end = newline
                if end > position, buffer[end - 1] == 13 { end -= 1 }
                let line = buffer[position..<end]
                position = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard position < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == 13 { end -= 1 }
                let line = buffer[position..<end]
                position = buffer.count
                lineNumber += 1
                return line
            }
            buffer.removeSubrange(0..<position)
            position = 0
            let chunk = handle.readData(ofLength: 4 << 20)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    public func close() { try? handle.close() }
}
