import Testing
@testable import Lineage

/// The two-byte-filtered phrase scan must find exactly the phrases a naive substring search finds:
/// random texts over a small alphabet (so phrases occur, overlap and sit at the ends), phrases of
/// one byte and more, non-ASCII bytes in the text; and the real marker and self-reference sets.
@Suite struct PhraseSetTests {
    static func naive(_ phrases: [[UInt8]], in text: [UInt8]) -> [Bool] {
        phrases.map { phrase in
            guard phrase.count <= text.count else { return false }
            return (0...(text.count - phrase.count)).contains { i in text[i] < 0x80 && Array(text[i..<(i + phrase.count)]) == phrase }
        }
    }

    @Test func findsWhatANaiveSearchFinds() {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("PhraseSetTests seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        let alphabet: [UInt8] = Array("ab !'".utf8) + [0xC3, 0xA9]
        for _ in 0..<300 {
            let phrases: [[UInt8]] = (0..<(1 + Int(rng.next() % 8))).map { _ in
                [Array("ab !'".utf8)[Int(rng.next() % 5)]] + (0..<Int(rng.next() % 4)).map { _ in alphabet[Int(rng.next() % 5)] }
            }
            let text = (0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            #expect(ASCIIFeaturiser.contains(PhraseSet(phrases), in: text) == Self.naive(phrases, in: text), "\(phrases) in \(text)")
        }
        let markers = TextFeatures.markerPhrases.map { Array($0.utf8) }
        let text = Array("certainly! here's what i'm sorry about; as an ai language model, i hope this helps. it depends".utf8)
        #expect(ASCIIFeaturiser.contains(ASCIIFeaturiser.markerBytes, in: text) == Self.naive(markers, in: text))
        #expect(ASCIIFeaturiser.contains(ASCIIFeaturiser.markerBytes, in: text).filter { $0 }.count >= 5)
    }
}
