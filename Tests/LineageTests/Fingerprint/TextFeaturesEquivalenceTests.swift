import Foundation
import Testing
@testable import Lineage

/// The optimised featuriser must give exactly the features of the naive reference.
@Suite struct TextFeaturesEquivalenceTests {
    static func expectSame(_ text: String, prompt: String = "What is the capital of France?",
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let fast = TextFeatures(text: text, prompt: prompt)
        let naive = NaiveTextFeatures(text: text, prompt: prompt).features
        let same = fast.words == naive.words && fast.characters == naive.characters && fast.openings == naive.openings
            && fast.style.map(\.bitPattern) == naive.style.map(\.bitPattern) && fast.markers == naive.markers
            && fast.identity == naive.identity && fast.length == naive.length
        #expect(same, "features differ for \(text.debugDescription)", sourceLocation: sourceLocation)
    }

    static let tricky = [
        "", " ", "a", "abc", "abcd", "\n\n\n", "Hello", "  leading and trailing  ", "tabs\tand\u{0B}vertical\u{0C}feeds",
        "Certainly! Here's a list:\n\n1. First\n2) Second\n1234. Not numbered\n- bullet\n* star\n• dot\n# Header\n| a | b |\n",
        "**bold** and ***three*** and ```code``` ``` unclosed", "Windows\r\nline\r\nendings\r\n\r\nparagraph",
        "As an AI language model developed by OpenAI, I am ChatGPT. I'm sorry, I cannot help.",
        "I am Claude, made by Anthropic! Hope that helps.", "It's   don't  o'clock '' ' x",
        "Café résumé naïve — “quotes” and ‘apostrophes’", "e\u{301}te\u{301} combining", "中文句子。这是测试！",
        "Emoji 👍🏽 family 👨‍👩‍👧 flags 🇫🇷🇩🇪", "مرحبا بالعالم، هذا اختبار؟", "mixed ASCII then 日本語 then back",
        "ⅻ Roman ½ fractions ²³ superscripts", "A\u{0}NUL byte", "    \n   \n  ", "x\n\ny\n\n\n\nz", "word.word!word?word",
        "İstanbul ß ΣΑΣ", " \u{301}space mark", "\u{85}next line\u{A0}nbsp\u{2028}ls",
    ]

    @Test func trickyCasesMatchTheNaiveReference() {
        for text in Self.tricky { Self.expectSame(text) }
        Self.expectSame("I am GPT-4, trained by OpenAI.", prompt: "Are you GPT-4?")
    }

    @Test func randomTextsMatchTheNaiveReference() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("TextFeaturesEquivalenceTests seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        let ascii = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let pieces = [" ", " ", " ", "  ", "\n", "\n\n", "\t", ".", ",", "!", "?", "'", ":", "-", "*", "**", "```", "#", "|",
                      "- ", "1. ", "12) ", "• ", "\r\n", "é", "e\u{301}", "ñ", "ü", "中", "文", "日本", "👍", "👍🏽", "👨‍👩‍👧",
                      "🇫🇷", "مرحبا", "ا", "Σ", "ß", "½", "\u{A0}", "certainly!", "i'm sorry", "here's", "i am", "openai",
                      "claude", "as an ai language model", "Google", "llama", "step 1", "note:"]
        for round in 0..<400 {
            var text = ""
            let asciiOnly = round % 2 == 0
            for _ in 0..<Int(rng.next() % 120) {
                let r = rng.next() % 10
                if r < 6 || asciiOnly && r < 8 {
                    for _ in 0..<(1 + Int(rng.next() % 8)) { text.append(ascii[Int(rng.next() % UInt64(ascii.count))]) }
                } else {
                    let piece = pieces[Int(rng.next() % UInt64(pieces.count))]
                    if asciiOnly && !piece.utf8.allSatisfy({ $0 < 0x80 }) { text += " " } else { text += piece }
                }
            }
            Self.expectSame(text, prompt: round % 3 == 0 ? "Tell me about OpenAI and llama." : "Question?")
        }
    }
}
