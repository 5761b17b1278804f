/// Word shingles of a prompt, as 64-bit hashes: lower-cased runs of letters and digits (any
/// non-ASCII byte counts as a letter), taken `size` (at most 8) at a time. A prompt shorter than `size`
/// words is one shingle. Template reuse shows as shared shingles, whatever fills the slots.
public enum Shingles {
    public static let size = 4

    /// Calls `body` with the hash of each shingle of `text`, in order, and `word` with each word's hash.
    public static func forEach(_ text: String, size: Int = Shingles.size, word: ((UInt64) -> Void)? = nil,
                               _ body: (UInt64) -> Void) {
        var text = text
        text.withUTF8 { bytes in scan(bytes, size: size, word: word, body) }
    }

    /// The scan over raw bytes, written without captured state (it runs once per prompt byte).
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, size: Int, word: ((UInt64) -> Void)?,
                             _ body: (UInt64) -> Void) {
        precondition(size >= 1 && size <= 8)
        // The last `size` word hashes, newest last, in a fixed tuple-free ring.
        var ring: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var current: UInt64 = 0xCBF2_9CE4_8422_2325
        var inWord = false
        var index = 0
        let end = bytes.count
        while index <= end {
            let byte: UInt8 = index < end ? bytes[index] : 32
            index += 1
            let lower = byte >= 65 && byte <= 90 ? byte + 32 : byte
            if (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) || lower >= 128 {
                current = (current ^ UInt64(lower)) &* 0x0000_0100_0000_01B3
                inWord = true
                continue
            }
            guard inWord else { continue }
            let hash = StableHash.mix(current)
            current = 0xCBF2_9CE4_8422_2325
            inWord = false
            word?(hash)
            ring = (ring.1, ring.2, ring.3, ring.4, ring.5, ring.6, ring.7, hash)
            count += 1
            if count >= size { body(combine(ring, width: size)) }
        }
        if count > 0 && count < size { body(combine(ring, width: count)) }
    }

    /// The hash of the newest `width` words of the ring, order-sensitive.
    @inline(__always)
    static func combine(_ ring: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64), width: Int) -> UInt64 {
        var h = UInt64(width)
        if width >= 8 { h = StableHash.mix(h ^ ring.0) }
        if width >= 7 { h = StableHash.mix(h ^ ring.1) }
        if width >= 6 { h = StableHash.mix(h ^ ring.2) }
        if width >= 5 { h = StableHash.mix(h ^ ring.3) }
        if width >= 4 { h = StableHash.mix(h ^ ring.4) }
        if width >= 3 { h = StableHash.mix(h ^ ring.5) }
        if width >= 2 { h = StableHash.mix(h ^ ring.6) }
        return StableHash.mix(h ^ ring.7)
    }
}

extension Shingles {
    /// The hash `forEach` gives a single word (for word lists).
    public static func wordHash(_ word: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in word.lowercased().utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return StableHash.mix(h)
    }
}
