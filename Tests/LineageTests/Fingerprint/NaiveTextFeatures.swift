import Foundation
@testable import Lineage

/// The original, straightforward featuriser (copied from `TextFeatures` before it was optimised):
/// the reference the fast implementation must reproduce exactly.
struct NaiveTextFeatures {
    var features: TextFeatures

    /// Featurises one cleaned answer; `prompt` is used only to ignore identity names it mentions.
    init(text: String, prompt: String) {
        let lowered = text.lowercased()
        let tokens = Self.wordTokens(lowered)
        var words: [Int: Float] = [:]
        for (i, token) in tokens.enumerated() {
            words[Self.bucket("w:" + token, TextFeatures.wordBuckets), default: 0] += 1
            if i > 0 { words[Self.bucket("b:" + tokens[i - 1] + " " + token, TextFeatures.wordBuckets), default: 0] += 1 }
        }
        var characters: [Int: Float] = [:]
        let scalars = Array(lowered.split(whereSeparator: \.isWhitespace).joined(separator: " ").unicodeScalars)
        if scalars.count >= TextFeatures.characterGram {
            for start in 0...(scalars.count - TextFeatures.characterGram) {
                var hash = NaiveFNV1a()
                for s in scalars[start..<(start + TextFeatures.characterGram)] { hash.add(s.value) }
                characters[Int(hash.value % UInt64(TextFeatures.characterBuckets)), default: 0] += 1
            }
        }
        var openings: [Int: Float] = [:]
        for n in 1...3 where tokens.count >= n {
            openings[Self.bucket("o\(n):" + tokens[0..<n].joined(separator: " "), TextFeatures.openingBuckets), default: 0] += 1
        }
        self.features = TextFeatures(words: SparseCounts(words), characters: SparseCounts(characters), openings: SparseCounts(openings),
                  style: Self.style(of: text, wordCount: tokens.count),
                  markers: TextFeatures.markerPhrases.map { lowered.contains($0) ? 1 : 0 },
                  identity: IdentityLexicon.claims(in: text, prompt: prompt).map { $0 ? 1 : 0 },
                  length: text.count)
    }

    static func wordTokens(_ lowered: String) -> [String] {
        lowered.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "'") }).map(String.init)
    }

    static func bucket(_ key: String, _ buckets: Int) -> Int {
        var hash = NaiveFNV1a()
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
        let bold = Float(text.components(separatedBy: "**").count - 1) / 2
        let fences = Float(text.components(separatedBy: "```").count - 1) / 2
        let sentences = text.split(whereSeparator: { ".!?\n".contains($0) })
            .map { $0.split(whereSeparator: \.isWhitespace).count }.filter { $0 > 0 }
        let sentenceCount = Float(max(1, sentences.count))
        let meanSentence = Float(sentences.reduce(0, +)) / sentenceCount
        let spread = sentences.isEmpty ? 0 : (sentences.map { pow(Float($0) - meanSentence, 2) }.reduce(0, +) / sentenceCount).squareRoot()
        let paragraphs = text.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
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

struct NaiveFNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ unit: UInt32) {
        var unit = unit
        repeat {
            value = (value ^ UInt64(unit & 0xFF)) &* 0x100_0000_01b3
            unit >>= 8
        } while unit != 0
    }
}
