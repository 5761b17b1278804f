import Foundation

/// The raw features of one cleaned answer (one turn of one response), before weighting:
/// hashed counts for the lexical families, small dense vectors for the others.
public struct TextFeatures: Sendable {
    /// Hashed word unigram and bigram counts (bucket → count).
    public var words: SparseCounts
    /// Hashed character 4-gram counts.
    public var characters: SparseCounts
    /// Hashed opening words ("certainly", "certainly here", ...).
    public var openings: SparseCounts
    /// Format and style measurements, `TextFeatures.styleNames` in order (standardised later).
    public var style: [Float]
    /// Presence of each marker phrase, `TextFeatures.markerPhrases` in order.
    public var markers: [Float]
    /// Self-identity claims, one entry per `IdentityLexicon.families` family.
    public var identity: [Float]
    /// Length of the cleaned text in characters (for the length adjustment).
    public var length: Int

    public static let wordBuckets = 1 << 15
    public static let characterBuckets = 1 << 15
    public static let openingBuckets = 1 << 10
    public static let characterGram = 4

    public static let styleNames = [
        "log characters", "log words", "log lines", "bullet lines", "numbered lines", "header lines", "bold spans",
        "code fences", "log mean sentence words", "sentence length spread", "log paragraphs", "lines ending in colon",
        "exclamations per sentence", "questions per sentence", "mean word length", "uppercase share", "digit share",
        "table lines", "non-ASCII share", "commas per sentence",
    ]

    /// Stock phrases of assistant answers, whose use a student inherits from its teacher.
    public static let markerPhrases = [
        "as an ai language model", "as an ai", "as a language model", "i'm just an ai", "i am an ai", "i'm sorry", "i apologize",
        "i hope this helps", "certainly!", "certainly,", "sure!", "sure,", "of course!", "absolutely!", "great question",
        "it's important to note", "it is important to note", "it's worth noting", "in conclusion", "overall,", "in summary",
        "i cannot", "i can't", "i don't have personal", "i do not have personal", "i don't have the ability",
        "here's", "here is", "here are some", "there are several", "let me know if", "feel free to", "please note",
        "keep in mind", "ultimately,", "additionally,", "furthermore,", "moreover,", "happy to help", "i'd be happy",
        "i would be happy", "hello!", "thank you for", "disclaimer", "knowledge cutoff", "as of my", "it depends",
        "i understand", "good luck", "step 1", "for example,", "however,", "note:", "you're welcome", "hope that helps",
    ]

    public init(words: SparseCounts, characters: SparseCounts, openings: SparseCounts, style: [Float],
                markers: [Float], identity: [Float], length: Int) {
        self.words = words
        self.characters = characters
        self.openings = openings
        self.style = style
        self.markers = markers
        self.identity = identity
        self.length = length
    }

    /// Featurises one cleaned answer; `prompt` is used only to ignore identity names it mentions.
    ///
    /// Text that is pure ASCII without carriage returns (where every character is one byte) takes
    /// a fast byte-level path; any other text the general path. Both give identical features
    /// (tested against the original implementation).
    public init(text: String, prompt: String) {
        var counter = ASCIIFeaturiser.Counter()
        self.init(text: text, prompt: prompt, counter: &counter)
    }

    /// The same features, counting into `counter` (left empty again), so that a caller featurising many
    /// answers allocates and zeroes its bucket counts once rather than once per answer.
    init(text: String, prompt: String, counter: inout ASCIIFeaturiser.Counter) {
        var contiguous = text
        if let fast = contiguous.withUTF8({ bytes in
            ASCIIFeaturiser.isEligible(bytes) ? ASCIIFeaturiser.features(of: bytes, text: text, prompt: prompt, counter: &counter) : nil
        }) {
            self = fast
        } else {
            self.init(generalText: text, prompt: prompt, counter: &counter)
        }
    }

    /// The general (character-level) featuriser, for text the ASCII path cannot take.
    init(generalText text: String, prompt: String) {
        var counter = ASCIIFeaturiser.Counter()
        self.init(generalText: text, prompt: prompt, counter: &counter)
    }

    init(generalText text: String, prompt: String, counter: inout ASCIIFeaturiser.Counter) {
        let lowered = text.lowercased()
        let (words, characters, openings, tokenCount) = GeneralFeaturiser.lexical(lowered, counter: &counter)
        self.init(words: words, characters: characters, openings: openings,
                  style: Self.style(of: text, wordCount: tokenCount),
                  markers: Self.generalMarkers(lowered),
                  identity: Self.generalIdentity(lowered, text: text, prompt: prompt),
                  length: text.count)
    }

    /// Marker presence: a phrase (ASCII) can match only where its bytes occur, so the byte search
    /// rules most phrases out and the original `contains` decides the rest.
    static func generalMarkers(_ lowered: String) -> [Float] {
        let possible = ASCIIFeaturiser.contains(ASCIIFeaturiser.markerBytes, in: Array(lowered.utf8))
        return zip(markerPhrases, possible).map { phrase, possible in possible && lowered.contains(phrase) ? 1 : 0 }
    }

    /// Identity claims: none unless some self-reference's bytes occur (the claims' own first test).
    static func generalIdentity(_ lowered: String, text: String, prompt: String) -> [Float] {
        guard ASCIIFeaturiser.contains(ASCIIFeaturiser.selfReferenceBytes, in: Array(lowered.utf8)).contains(true) else {
            return [Float](repeating: 0, count: IdentityLexicon.families.count)
        }
        return IdentityLexicon.claims(in: text, prompt: prompt).map { $0 ? 1 : 0 }
    }

    static func wordTokens(_ lowered: String) -> [String] {
        lowered.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "'") }).map(String.init)
    }

    static func bucket(_ key: String, _ buckets: Int) -> Int {
        var hash = FNV1a()
        for byte in key.utf8 { hash.add(UInt32(byte)) }
        return Int(hash.value % UInt64(buckets))
    }

    static func style(of text: String, wordCount: Int) -> [Float] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let lineCount = max(1, lines.count)
        func share(_ predicate: (Substring) -> Bool) -> Float { Float(lines.filter(predicate).count) / Float(lineCount) }
        let trimmedLines = lines.map { $0.drop(while: { $0 == " " || $0 == "\t" }) }
        let bullets = Float(trimmedLines.filter { $0.hasPrefix("- ") || $0.hasPrefix("* ") || $0.hasPrefix("• ") }.count) / Float(lineCount)
        let numbered = Float(trimmedLines.filter { line in
            let digits = line.prefix(while: \.isNumber)
            guard !digits.isEmpty, digits.count <= 3 else { return false }
            let rest = line.dropFirst(digits.count)
            return rest.hasPrefix(". ") || rest.hasPrefix(") ")
        }.count) / Float(lineCount)
        let headers = Float(trimmedLines.filter { $0.hasPrefix("#") }.count) / Float(lineCount)
        // Separators (ASCII) can only be found where their bytes occur: skip Foundation's search otherwise.
        let utf8 = Array(text.utf8)
        let present = ASCIIFeaturiser.contains(ASCIIFeaturiser.separatorBytes, in: utf8)
        func pieces(_ separator: String, _ isPresent: Bool) -> [String] { isPresent ? text.components(separatedBy: separator) : [text] }
        let bold = Float(pieces("**", present[0]).count - 1) / 2
        let fences = Float(pieces("```", present[1]).count - 1) / 2
        let sentences = text.split(whereSeparator: { ".!?\n".contains($0) })
            .map { $0.split(whereSeparator: \.isWhitespace).count }.filter { $0 > 0 }
        let sentenceCount = Float(max(1, sentences.count))
        let meanSentence = Float(sentences.reduce(0, +)) / sentenceCount
        let spread = sentences.isEmpty ? 0 : (sentences.map { pow(Float($0) - meanSentence, 2) }.reduce(0, +) / sentenceCount).squareRoot()
        let paragraphs = pieces("\n\n", present[2]).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        var letters = 0, uppercase = 0, digits = 0, nonASCII = 0, exclamations = 0, questions = 0, commas = 0, wordCharacters = 0
        for c in text.unicodeScalars {
            if c.properties.isAlphabetic { letters += 1; if c.properties.isUppercase { uppercase += 1 } }
            if ("0"..."9").contains(c) { digits += 1 }
            if !c.isASCII { nonASCII += 1 }
            if c == "!" { exclamations += 1 }
            if c == "?" { questions += 1 }
            if c == "," { commas += 1 }
            if !c.properties.isWhitespace { wordCharacters += 1 }
        }
        let characters = Float(max(1, text.unicodeScalars.count))
        return [
            log1p(Float(text.count)), log1p(Float(wordCount)), log1p(Float(lines.count)), bullets, numbered, headers,
            log1p(bold), log1p(fences), log1p(meanSentence), log1p(spread), log1p(Float(paragraphs)),
            share { $0.hasSuffix(":") }, Float(exclamations) / sentenceCount, Float(questions) / sentenceCount,
            Float(wordCharacters) / Float(max(1, wordCount)), Float(uppercase) / Float(max(1, letters)),
            Float(digits) / characters, share { $0.hasPrefix("|") }, Float(nonASCII) / characters, Float(commas) / sentenceCount,
        ]
    }
}

/// 64-bit FNV-1a: a stable hash (Swift's `Hasher` is seeded per process, so it cannot name a bucket).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ unit: UInt32) {
        var unit = unit
        repeat {
            value = (value ^ UInt64(unit & 0xFF)) &* 0x100_0000_01b3
            unit >>= 8
        } while unit != 0
    }
}
