/// Word shingles of a prompt, as 64-bit hashes: lower-cased runs of letters and digits (any
/// non-ASCII byte counts as a letter), taken `size` at a time. A prompt shorter than `size`
/// words is one shingle. Template reuse shows as shared shingles, whatever fills the slots.
public enum Shingles {
    public static let size = 4

    /// Calls `body` with the hash of each shingle of `text`, in order, and `word` with each word's hash.
    public static func forEach(_ text: String, size: Int = Shingles.size, word: ((UInt64) -> Void)? = nil,
                               _ body: (UInt64) -> Void) {
        let wordBody = word
        var window = [UInt64](repeating: 0, count: size)
        var count = 0
        var word: UInt64 = 0xCBF2_9CE4_8422_2325
        var inWord = false
        func emitWord() {
            let hash = StableHash.mix(word)
            window[count % size] = hash
            wordBody?(hash)
            count += 1
            if count >= size { body(combine(window, count, size)) }
            word = 0xCBF2_9CE4_8422_2325
            inWord = false
        }
        for var byte in text.utf8 {
            let isLetter = (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte >= 128 || (byte >= 65 && byte <= 90)
            if isLetter {
                if byte >= 65 && byte <= 90 { byte += 32 }
                word = (word ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                inWord = true
            } else if inWord {
                emitWord()
            }
        }
        if inWord { emitWord() }
        if count > 0 && count < size { body(combine(window, count, count)) }
    }

    /// The hash of the `width` words ending at word `count - 1`, order-sensitive.
    @inline(__always)
    static func combine(_ window: [UInt64], _ count: Int, _ width: Int) -> UInt64 {
        var h: UInt64 = UInt64(width)
        for offset in 0..<width {
            let w = window[(count - width + offset) % window.count]
            h = StableHash.mix(h ^ w)
        }
        return h
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
