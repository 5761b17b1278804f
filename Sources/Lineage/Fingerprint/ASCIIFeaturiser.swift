import Foundation

/// The fast path of `TextFeatures`: byte-level featurisation of text that is pure ASCII with no
/// carriage return, where every `Character` is exactly one byte (the one multi-scalar ASCII
/// grapheme is "\\r\\n"), so that splitting, counting and prefix tests on bytes give exactly
/// what the character-level code gives. No `String` is built per token: token bytes are hashed
/// with their prefix directly in FNV-1a, and bucket counts go to a reused dense counter.
enum ASCIIFeaturiser {
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x100_0000_01b3

    /// Byte classes, derived from the same `Character` properties the general path uses.
    static let isTokenByte: [Bool] = (0..<128).map { b in
        let c = Character(Unicode.Scalar(UInt8(b)))
        return c.isLetter || c.isNumber || c == "'"
    }
    static let isWhitespaceByte: [Bool] = (0..<128).map { Character(Unicode.Scalar(UInt8($0))).isWhitespace }
    static let isAlphabeticByte: [Bool] = (0..<128).map { Unicode.Scalar(UInt8($0)).properties.isAlphabetic }
    static let isUppercaseByte: [Bool] = (0..<128).map { Unicode.Scalar(UInt8($0)).properties.isUppercase }
    static let isNumberByte: [Bool] = (0..<128).map { Character(Unicode.Scalar(UInt8($0))).isNumber }
    static let markerBytes = PhraseSet(TextFeatures.markerPhrases.map { Array($0.utf8) })
    static let selfReferenceBytes = PhraseSet(IdentityLexicon.selfReference.map { Array($0.utf8) })
    /// Bold, code-fence and paragraph separators, which the general style measure splits on only when present.
    static let separatorBytes = PhraseSet([Array("**".utf8), Array("```".utf8), Array("\n\n".utf8)])

    static func isEligible(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes where b >= 0x80 || b == 0x0D { return false }
        return true
    }

    @inline(__always) static func hash(_ h: UInt64, _ byte: UInt8) -> UInt64 { (h ^ UInt64(byte)) &* fnvPrime }

    static func hash(_ h: UInt64, _ s: StaticString) -> UInt64 {
        var h = h
        s.withUTF8Buffer { for b in $0 { h = hash(h, b) } }
        return h
    }

    /// Counts of bucket indices: a dense array plus a bitmap of the buckets counted, reset on drain.
    struct Counter {
        private var counts: [Int32]
        private var marks: [UInt64]
        private var distinct = 0

        init(buckets: Int) {
            counts = [Int32](repeating: 0, count: buckets)
            marks = [UInt64](repeating: 0, count: (buckets + 63) / 64)
        }

        /// A counter for every lexical family (words and character 4-grams share its buckets in turn).
        init() { self.init(buckets: max(TextFeatures.wordBuckets, TextFeatures.characterBuckets)) }

        @inline(__always) mutating func add(_ bucket: Int) {
            if counts[bucket] == 0 {
                marks[bucket >> 6] |= 1 << UInt64(bucket & 63)
                distinct += 1
            }
            counts[bucket] &+= 1
        }

        /// The buckets counted, in increasing order (read off the bitmap rather than sorted), with their
        /// counts; the counter is left empty.
        mutating func drain() -> SparseCounts {
            var buckets = [Int32]()
            var values = [Float]()
            buckets.reserveCapacity(distinct)
            values.reserveCapacity(distinct)
            if distinct > 0 {
                for word in marks.indices where marks[word] != 0 {
                    var bits = marks[word]
                    marks[word] = 0
                    while bits != 0 {
                        let b = word << 6 | bits.trailingZeroBitCount
                        bits &= bits - 1
                        buckets.append(Int32(b))
                        values.append(Float(counts[b]))
                        counts[b] = 0
                    }
                }
            }
            distinct = 0
            return SparseCounts(sortedBuckets: buckets, counts: values)
        }
    }

    /// ASCII lower-casing, as `String.lowercased()` does for ASCII.
    static func lowered(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    /// Token ranges (start, end) of the lower-cased bytes.
    static func tokens(_ l: [UInt8]) -> [(Int, Int)] {
        var tokens: [(Int, Int)] = []
        tokens.reserveCapacity(l.count / 5 + 1)
        let n = l.count
        var i = 0
        isTokenByte.withUnsafeBufferPointer { isToken in
            while i < n {
                if !isToken[Int(l[i])] { i += 1; continue }
                let start = i
                while i < n && isToken[Int(l[i])] { i += 1 }
                tokens.append((start, i))
            }
        }
        return tokens
    }

    static func words(_ l: [UInt8], tokens: [(Int, Int)], counter: inout Counter) -> SparseCounts {
        let w = hash(fnvOffset, "w:"), b = hash(fnvOffset, "b:")
        let buckets = UInt64(TextFeatures.wordBuckets)
        l.withUnsafeBufferPointer { l in
            for (k, (start, end)) in tokens.enumerated() {
                var h = w
                for j in start..<end { h = hash(h, l[j]) }
                counter.add(Int(h % buckets))
                if k > 0 {
                    let (ps, pe) = tokens[k - 1]
                    var h = b
                    for j in ps..<pe { h = hash(h, l[j]) }
                    h = hash(h, 0x20)
                    for j in start..<end { h = hash(h, l[j]) }
                    counter.add(Int(h % buckets))
                }
            }
        }
        return counter.drain()
    }

    /// Character 4-grams of the lower-cased text with whitespace runs collapsed to one space and
    /// leading and trailing whitespace dropped.
    static func characters(_ l: [UInt8], counter: inout Counter) -> SparseCounts {
        let buckets = UInt64(TextFeatures.characterBuckets)
        var w0: UInt8 = 0, w1: UInt8 = 0, w2: UInt8 = 0, w3: UInt8 = 0
        var emitted = 0
        var pendingSpace = false
        isWhitespaceByte.withUnsafeBufferPointer { isSpace in
            @inline(__always) func emit(_ byte: UInt8) {
                w0 = w1; w1 = w2; w2 = w3; w3 = byte
                emitted += 1
                if emitted >= 4 {
                    let h = hash(hash(hash(hash(fnvOffset, w0), w1), w2), w3)
                    counter.add(Int(h % buckets))
                }
            }
            for byte in l {
                if isSpace[Int(byte)] { pendingSpace = true; continue }
                if pendingSpace && emitted > 0 { emit(0x20) }
                pendingSpace = false
                emit(byte)
            }
        }
        return counter.drain()
    }

    static func openings(_ l: [UInt8], tokens: [(Int, Int)]) -> SparseCounts {
        var openings: [Int: Float] = [:]
        let buckets = UInt64(TextFeatures.openingBuckets)
        let prefixes: [StaticString] = ["o1:", "o2:", "o3:"]
        for n in 1...3 where tokens.count >= n {
            var h = hash(fnvOffset, prefixes[n - 1])
            for k in 0..<n {
                if k > 0 { h = hash(h, 0x20) }
                for j in tokens[k].0..<tokens[k].1 { h = hash(h, l[j]) }
            }
            openings[Int(h % buckets), default: 0] += 1
        }
        return SparseCounts(openings)
    }

    /// For each phrase (ASCII), whether it occurs in `l`.
    static func contains(_ phrases: PhraseSet, in l: [UInt8]) -> [Bool] {
        l.withUnsafeBufferPointer { phrases.found(in: $0) }
    }

    static func markers(_ l: [UInt8]) -> [Float] {
        contains(markerBytes, in: l).map { $0 ? 1 : 0 }
    }

    static func identity(_ l: [UInt8], text: String, prompt: String) -> [Float] {
        // `IdentityLexicon.claims` returns all false unless a self-reference occurs; check that first.
        guard contains(selfReferenceBytes, in: l).contains(true) else {
            return [Float](repeating: 0, count: IdentityLexicon.families.count)
        }
        var promptCopy = prompt
        let claimed = promptCopy.withUTF8 { promptBytes -> [Bool]? in
            guard isEligible(promptBytes) else { return nil }
            return claims(l, loweredPrompt: lowered(promptBytes))
        } ?? IdentityLexicon.claims(in: text, prompt: prompt)
        return claimed.map { $0 ? 1 : 0 }
    }

    static let familyNameBytes: [[[UInt8]]] = IdentityLexicon.families.map { $0.names.map { Array($0.utf8) } }

    /// `IdentityLexicon.claims` for ASCII text and prompt (both lower-cased here).
    static func claims(_ l: [UInt8], loweredPrompt: [UInt8]) -> [Bool] {
        var claimed = [Bool](repeating: false, count: IdentityLexicon.families.count)
        var inPrompt: [String: Bool] = [:]
        var start = 0
        let n = l.count
        for i in 0...n where i == n || l[i] == 0x2E || l[i] == 0x21 || l[i] == 0x3F || l[i] == 0x0A {
            defer { start = i + 1 }
            guard i > start else { continue }
            let sentence = Array(l[start..<i])
            guard contains(selfReferenceBytes, in: sentence).contains(true) else { continue }
            for (index, names) in familyNameBytes.enumerated() where !claimed[index] {
                claimed[index] = names.contains { name in
                    guard containsWord(name, in: sentence) else { return false }
                    let key = String(decoding: name, as: UTF8.self)
                    if let known = inPrompt[key] { return !known }
                    let found = containsWord(name, in: loweredPrompt)
                    inPrompt[key] = found
                    return !found
                }
            }
        }
        return claimed
    }

    /// `IdentityLexicon.containsWord` on ASCII bytes.
    static func containsWord(_ word: [UInt8], in t: [UInt8]) -> Bool {
        let n = t.count, m = word.count
        var from = 0
        while from + m <= n {
            var found = -1
            var i = from
            while i + m <= n {
                var j = 0
                while j < m && t[i + j] == word[j] { j += 1 }
                if j == m { found = i; break }
                i += 1
            }
            guard found >= 0 else { return false }
            let beforeOK = found == 0 || !isLetterOrNumberByte[Int(t[found - 1])]
            let afterOK = found + m == n || !isLetterOrNumberByte[Int(t[found + m])]
            if beforeOK && afterOK { return true }
            from = found + m
        }
        return false
    }

    static let isLetterOrNumberByte: [Bool] = (0..<128).map { b in
        let c = Character(Unicode.Scalar(UInt8(b)))
        return c.isLetter || c.isNumber
    }

    /// Non-overlapping occurrences of `pattern`, scanning left to right (as `components(separatedBy:)` splits).
    static func occurrences(of pattern: [UInt8], in t: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0, i = 0
        let n = t.count, m = pattern.count
        while i + m <= n {
            var j = 0
            while j < m && t[i + j] == pattern[j] { j += 1 }
            if j == m { count += 1; i += m } else { i += 1 }
        }
        return count
    }

    /// `TextFeatures.style(of:wordCount:)` on bytes.
    static func style(_ t: UnsafeBufferPointer<UInt8>, wordCount: Int) -> [Float] {
        let n = t.count
        // The byte tables, read once: a static read inside the per-byte loops costs a `swift_once` check each time.
        let isNumberByte = isNumberByte, isWhitespaceByte = isWhitespaceByte
        let isAlphabeticByte = isAlphabeticByte, isUppercaseByte = isUppercaseByte
        var lines: [(Int, Int)] = []
        var start = 0
        for i in 0...n where i == n || t[i] == 0x0A {
            if i > start { lines.append((start, i)) }
            start = i + 1
        }
        let lineCount = max(1, lines.count)
        var bulletCount = 0, numberedCount = 0, headerCount = 0, colonCount = 0, tableCount = 0
        for (s, e) in lines {
            if t[e - 1] == UInt8(ascii: ":") { colonCount += 1 }
            if t[s] == UInt8(ascii: "|") { tableCount += 1 }
            var k = s
            while k < e && (t[k] == 0x20 || t[k] == 0x09) { k += 1 }
            guard k < e else { continue }
            if k + 1 < e && (t[k] == UInt8(ascii: "-") || t[k] == UInt8(ascii: "*")) && t[k + 1] == 0x20 { bulletCount += 1 }
            if t[k] == UInt8(ascii: "#") { headerCount += 1 }
            var d = k
            while d < e && isNumberByte[Int(t[d])] { d += 1 }
            if d > k && d - k <= 3 && d + 1 < e && (t[d] == UInt8(ascii: ".") || t[d] == UInt8(ascii: ")")) && t[d + 1] == 0x20 {
                numberedCount += 1
            }
        }
        let bullets = Float(bulletCount) / Float(lineCount)
        let numbered = Float(numberedCount) / Float(lineCount)
        let headers = Float(headerCount) / Float(lineCount)
        let bold = Float(occurrences(of: Array("**".utf8), in: t)) / 2
        let fences = Float(occurrences(of: Array("```".utf8), in: t)) / 2
        // Sentences: split on . ! ? newline; each counted in whitespace-separated words, empty ones dropped.
        var sentences: [Int] = []
        var words = 0, inWord = false
        for i in 0...n {
            if i == n || t[i] == 0x2E || t[i] == 0x21 || t[i] == 0x3F || t[i] == 0x0A {
                if words > 0 { sentences.append(words) }
                words = 0; inWord = false
            } else if isWhitespaceByte[Int(t[i])] {
                inWord = false
            } else if !inWord {
                inWord = true; words += 1
            }
        }
        let sentenceCount = Float(max(1, sentences.count))
        let meanSentence = Float(sentences.reduce(0, +)) / sentenceCount
        let spread = sentences.isEmpty ? 0 : (sentences.map { pow(Float($0) - meanSentence, 2) }.reduce(0, +) / sentenceCount).squareRoot()
        // Paragraphs: pieces between non-overlapping "\n\n" holding something besides spaces and tabs.
        var paragraphs = 0
        var pieceStart = 0, i = 0
        func countPiece(_ s: Int, _ e: Int) {
            for k in s..<e where t[k] != 0x20 && t[k] != 0x09 { paragraphs += 1; return }
        }
        while i + 1 < n {
            if t[i] == 0x0A && t[i + 1] == 0x0A { countPiece(pieceStart, i); i += 2; pieceStart = i } else { i += 1 }
        }
        countPiece(pieceStart, n)
        var letters = 0, uppercase = 0, digits = 0, exclamations = 0, questions = 0, commas = 0, wordCharacters = 0
        for c in t {
            if isAlphabeticByte[Int(c)] { letters += 1; if isUppercaseByte[Int(c)] { uppercase += 1 } }
            if c >= 0x30 && c <= 0x39 { digits += 1 }
            if c == 0x21 { exclamations += 1 }
            if c == 0x3F { questions += 1 }
            if c == 0x2C { commas += 1 }
            if !isWhitespaceByte[Int(c)] { wordCharacters += 1 }
        }
        let characters = Float(max(1, n))
        return [
            log1p(Float(n)), log1p(Float(wordCount)), log1p(Float(lines.count)), bullets, numbered, headers,
            log1p(bold), log1p(fences), log1p(meanSentence), log1p(spread), log1p(Float(paragraphs)),
            Float(colonCount) / Float(lineCount), Float(exclamations) / sentenceCount, Float(questions) / sentenceCount,
            Float(wordCharacters) / Float(max(1, wordCount)), Float(uppercase) / Float(max(1, letters)),
            Float(digits) / characters, Float(tableCount) / Float(lineCount), Float(0) / characters, Float(commas) / sentenceCount,
        ]
    }

    static func features(of bytes: UnsafeBufferPointer<UInt8>, text: String, prompt: String, counter: inout Counter) -> TextFeatures {
        let l = lowered(bytes)
        let tokens = tokens(l)
        let words = words(l, tokens: tokens, counter: &counter)
        let characters = characters(l, counter: &counter)
        return TextFeatures(words: words, characters: characters, openings: openings(l, tokens: tokens),
                            style: style(bytes, wordCount: tokens.count), markers: markers(l),
                            identity: identity(l, text: text, prompt: prompt), length: bytes.count)
    }
}

extension TextFeatures {
    /// The feature families, extracted one at a time by `extract(_:text:prompt:)` (for benchmarks).
    public enum Family: String, CaseIterable, Sendable {
        case words, characters, openings, style, markers, identity
    }

    /// Extracts one family of `text`'s features alone (lower-casing and tokenising included where
    /// the family needs them) and returns its number of entries. Text outside the ASCII fast path
    /// is featurised whole.
    public static func extract(_ family: Family, text: String, prompt: String) -> Int {
        var contiguous = text
        let fast = contiguous.withUTF8 { bytes -> Int? in
            guard ASCIIFeaturiser.isEligible(bytes) else { return nil }
            typealias F = ASCIIFeaturiser
            switch family {
            case .words:
                let l = F.lowered(bytes)
                var counter = F.Counter(buckets: wordBuckets)
                return F.words(l, tokens: F.tokens(l), counter: &counter).count
            case .characters:
                var counter = F.Counter(buckets: characterBuckets)
                return F.characters(F.lowered(bytes), counter: &counter).count
            case .openings:
                let l = F.lowered(bytes)
                return F.openings(l, tokens: F.tokens(l)).count
            case .style:
                return F.style(bytes, wordCount: F.tokens(F.lowered(bytes)).count).count
            case .markers:
                return F.markers(F.lowered(bytes)).count
            case .identity:
                return F.identity(F.lowered(bytes), text: text, prompt: prompt).count
            }
        }
        if let fast { return fast }
        let features = TextFeatures(generalText: text, prompt: prompt)
        switch family {
        case .words: return features.words.count
        case .characters: return features.characters.count
        case .openings: return features.openings.count
        case .style: return features.style.count
        case .markers: return features.markers.count
        case .identity: return features.identity.count
        }
    }
}

/// The lexical families of text outside the ASCII path, in one pass over its characters (the
/// same `Character` tests as the original split-and-join code), hashing token bytes and
/// scalars directly instead of building strings.
enum GeneralFeaturiser {
    static func lexical(_ lowered: String, counter: inout ASCIIFeaturiser.Counter) -> (words: SparseCounts, characters: SparseCounts, openings: SparseCounts, tokens: Int) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lowered.utf8.count)
        var tokens: [(Int, Int)] = []
        var scalars: [UInt32] = []
        scalars.reserveCapacity(lowered.utf8.count)
        var inToken = false, tokenStart = 0, pendingSpace = false
        for c in lowered {
            if c.isLetter || c.isNumber || c == "'" {
                if !inToken { inToken = true; tokenStart = bytes.count }
                bytes.append(contentsOf: c.utf8)
            } else if inToken {
                tokens.append((tokenStart, bytes.count))
                inToken = false
            }
            if c.isWhitespace {
                pendingSpace = true
            } else {
                if pendingSpace && !scalars.isEmpty { scalars.append(0x20) }
                pendingSpace = false
                for s in c.unicodeScalars { scalars.append(s.value) }
            }
        }
        if inToken { tokens.append((tokenStart, bytes.count)) }
        let words = ASCIIFeaturiser.words(bytes, tokens: tokens, counter: &counter)
        let gram = TextFeatures.characterGram
        if scalars.count >= gram {
            for start in 0...(scalars.count - gram) {
                var hash = FNV1a()
                for k in start..<(start + gram) { hash.add(scalars[k]) }
                counter.add(Int(hash.value % UInt64(TextFeatures.characterBuckets)))
            }
        }
        let characters = counter.drain()
        return (words, characters, ASCIIFeaturiser.openings(bytes, tokens: tokens), tokens.count)
    }
}
