/// Byte phrases (each starting with an ASCII byte) to find in lower-cased text. A scan reads one bit
/// per text position, set where some phrase's first two bytes begin, and compares bytes only there,
/// so the marker and self-reference searches over every answer cost a table lookup per byte.
struct PhraseSet: Sendable {
    let count: Int
    private let bytes: [UInt8]
    /// Phrase p's bytes are bytes[starts[p]..<starts[p + 1]].
    private let starts: [Int]
    /// The phrases starting with byte b are candidates[firstOffsets[b]..<firstOffsets[b + 1]].
    private let firstOffsets: [Int]
    private let candidates: [Int32]
    /// Bit (b0 << 8 | b1): some phrase starts with b0, b1 (or is the single byte b0).
    private let pairs: [UInt64]

    init(_ phrases: [[UInt8]]) {
        precondition(phrases.allSatisfy { !$0.isEmpty && $0[0] < 0x80 }, "phrases are non-empty and start with an ASCII byte")
        count = phrases.count
        bytes = phrases.flatMap { $0 }
        starts = phrases.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        var byFirst = [[Int32]](repeating: [], count: 128)
        var pairs = [UInt64](repeating: 0, count: 65_536 / 64)
        for (p, phrase) in phrases.enumerated() {
            byFirst[Int(phrase[0])].append(Int32(p))
            let seconds: [Int] = phrase.count > 1 ? [Int(phrase[1])] : Array(0..<256)
            for second in seconds {
                let bit = Int(phrase[0]) << 8 | second
                pairs[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
        firstOffsets = byFirst.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        candidates = byFirst.flatMap { $0 }
        self.pairs = pairs
    }

    /// For each phrase, whether it occurs in `l`.
    func found(in l: UnsafeBufferPointer<UInt8>) -> [Bool] {
        var found = [Bool](repeating: false, count: count)
        let n = l.count
        guard n > 0 else { return found }
        bytes.withUnsafeBufferPointer { bytes in
            starts.withUnsafeBufferPointer { starts in
                candidates.withUnsafeBufferPointer { candidates in
                    firstOffsets.withUnsafeBufferPointer { firstOffsets in
                        pairs.withUnsafeBufferPointer { pairs in
                            found.withUnsafeMutableBufferPointer { found in
                                for i in 0..<n where l[i] < 0x80 {
                                    if i + 1 < n {
                                        let bit = Int(l[i]) << 8 | Int(l[i + 1])
                                        if pairs[bit >> 6] & (1 << UInt64(bit & 63)) == 0 { continue }
                                    }
                                    let first = Int(l[i])
                                    for k in firstOffsets[first]..<firstOffsets[first + 1] {
                                        let p = Int(candidates[k])
                                        if found[p] { continue }
                                        let start = starts[p], length = starts[p + 1] - start
                                        guard i + length <= n else { continue }
                                        var j = 1
                                        while j < length && l[i + j] == bytes[start + j] { j += 1 }
                                        if j == length { found[p] = true }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return found
    }
}
