import Foundation
import Testing
@testable import Lineage

@Suite struct FingerprintTests {
    @Test func cleanerStripsTemplateLeftoversRunawayTurnsAndEchoes() {
        let cleaner = ResponseCleaner()
        let (a, removedA) = cleaner.clean("### Assistant: Paris is the capital.</s>\n### Human: And of Spain?\n### Assistant: Madrid.", prompt: "Capital of France?")
        #expect(a == "Paris is the capital.")
        #expect(Set(removedA) == [.templateLeftover, .rolePrefix, .runawayTurn])
        let prompt = "Write a haiku about the sea in autumn."
        let (b, removedB) = cleaner.clean(prompt + "\nWaves fold into grey", prompt: prompt)
        #expect(b == "Waves fold into grey")
        #expect(removedB == [.probeEcho])
        let (c, removedC) = cleaner.clean("Plain answer.<|im_end|>", prompt: "q")
        #expect(c == "Plain answer." && removedC == [.templateLeftover])
        #expect(cleaner.clean("Human: hi", prompt: "q").text == "Human: hi")   // a first line is never cut
    }

    /// The cleaner's byte search finds what a naive scan over UTF-8 offsets finds, on fresh random
    /// strings from a small alphabet (many partial matches) with multi-byte characters.
    @Test func cleanerByteSearchMatchesANaiveScan() {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("cleanerByteSearchMatchesANaiveScan seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        let alphabet = ["a", "b", "</", "s>", "é", "中", "😀", "\n"]
        func random(_ length: Int) -> String { (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined() }
        for _ in 0..<2_000 {
            let haystack = random(Int(rng.next() % 30)), needle = random(1 + Int(rng.next() % 4))
            let h = Array(haystack.utf8), n = Array(needle.utf8)
            let naive = h.count < n.count ? nil : (0...(h.count - n.count)).first { Array(h[$0..<($0 + n.count)]) == n }
            let found = ResponseCleaner.firstRange(of: needle, in: haystack)
            #expect(found.map { haystack.utf8.distance(from: haystack.utf8.startIndex, to: $0.lowerBound) } == naive, "\(haystack) / \(needle)")
            if let found { #expect(String(haystack[found]) == needle) }
        }
        #expect(ResponseCleaner.firstRange(of: "", in: "abc") == nil)
    }

    /// The byte scan for runaway next turns cuts where walking the answer Character by Character (the
    /// implementation it replaced, kept here) cuts, on fresh random strings of line breaks (LF, CR LF,
    /// lone CR), spaces, tabs, markers in either case, combining marks and other non-ASCII text.
    @Test func runawayTurnScanMatchesTheCharacterWalk() {
        func characterWalk(_ text: String) -> String.Index? {
            var lineStart = text.startIndex
            var isFirst = true
            while lineStart < text.endIndex {
                let lineEnd = text[lineStart...].firstIndex(of: "\n") ?? text.endIndex
                if !isFirst {
                    let line = text[lineStart..<lineEnd].drop(while: { $0 == " " || $0 == "\t" }).prefix(24).lowercased()
                    if ResponseCleaner.nextTurnMarkers.contains(where: { line.hasPrefix($0) }) { return lineStart }
                }
                isFirst = false
                lineStart = lineEnd < text.endIndex ? text.index(after: lineEnd) : text.endIndex
            }
            return nil
        }
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("runawayTurnScanMatchesTheCharacterWalk seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        let alphabet = ["\n", "\r\n", "\r", " ", "\t", "a", "H", "u", "User:", "### Human:", "human:", "<|USER|>", "[INST]", "\u{301}",
                        "é", "İ", "\u{212A}", "中", "😀", "x", "#", "<", "["]
        let cleaner = ResponseCleaner()
        var cut = 0
        for _ in 0..<3_000 {
            let text = (0..<Int(rng.next() % 24)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let expected = characterWalk(text), found = cleaner.runawayTurnStart(in: text)
            #expect(found == expected, "\(text.debugDescription)")
            if expected != nil { cut += 1 }
        }
        #expect(cut > 100, "too few strings with a runaway turn to test the cut")
    }

    /// The byte-wise trim gives what Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` gives (seed 17).
    @Test func trimmingMatchesFoundation() {
        var rng = SeededGenerator(seed: 17)
        let alphabet = [" ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{A0}", "\u{2003}", "\u{3000}", "\u{85}", "a", "é", "e\u{301}", "中", "😀", "\u{301}"]
        for _ in 0..<3_000 {
            let text = (0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            #expect(ResponseCleaner.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(ResponseCleaner.trimmed(text).unicodeScalars.elementsEqual(text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars))
        }
    }

    @Test func identityClaimsNeedASelfReferenceAndIgnoreNamesThePromptMentions() {
        let openAI = IdentityLexicon.families.firstIndex { $0.name == "OpenAI" }!
        let google = IdentityLexicon.families.firstIndex { $0.name == "Google" }!
        #expect(IdentityLexicon.claims(in: "I am ChatGPT, a language model trained by OpenAI.", prompt: "Who are you?")[openAI])
        #expect(!IdentityLexicon.claims(in: "I am happy to compare ChatGPT and Bard.", prompt: "Compare ChatGPT and Bard.")[openAI])
        #expect(!IdentityLexicon.claims(in: "Palm trees grow in warm places. I am sure of it.", prompt: "Where do trees grow?")[google])
        #expect(!IdentityLexicon.claims(in: "I like GPT4All.", prompt: "q")[openAI])
        #expect(IdentityLexicon.family(ofModelNamed: "gpt-3.5-turbo")?.name == "OpenAI")
        #expect(IdentityLexicon.family(ofModelNamed: "claude-v1")?.name == "Anthropic")
        #expect(IdentityLexicon.family(ofModelNamed: "palm-2-chat-bison-001")?.name == "Google")
    }

    static func response(_ model: String, probe: Int64, prompt: [String], turns: [String], sample: Int = 0) -> StoredResponse {
        StoredResponse(id: probe * 100 + Int64(sample), model: model, probeID: probe, probeHash: "h\(probe)",
                       probe: ProbeContent(turns: prompt), sampleIndex: sample, parameters: SamplingParameters(),
                       turns: turns, finishReason: nil, contentHash: "\(model)-\(probe)-\(sample)-\(turns.joined())")
    }

    /// With only the word family weighted, a probe's similarity is the cosine of sublinear TF-IDF
    /// vectors of word unigrams and bigrams, computed here naively with exact (unhashed) keys.
    @Test func wordFamilyMatchesANaiveTFIDFCosine() throws {
        let answers: [String: [String]] = [
            "a": ["the cat sat on the mat", "rivers run to the sea and the sea is wide"],
            "b": ["a cat sat on a mat today", "the sea is wide and deep"],
            "c": ["dogs bark at night", "mountains are tall and old"],
        ]
        let models = ["a", "b", "c"]
        var responses: [StoredResponse] = []
        for (m, texts) in answers { for (p, text) in texts.enumerated() { responses.append(Self.response(m, probe: Int64(p), prompt: ["q\(p)"], turns: [text])) } }
        let builder = FingerprintBuilder(weights: FingerprintWeights(words: 1, characters: 0, openings: 0, style: 0, markers: 0, identity: 0))
        let data = try builder.similarities(of: responses, models: models)
        #expect(data.probes.count == 2)

        func keys(_ text: String) -> [String: Double] {
            let tokens = TextFeatures.wordTokens(text.lowercased())
            var counts: [String: Double] = [:]
            for (i, t) in tokens.enumerated() {
                counts["w:" + t, default: 0] += 1
                if i > 0 { counts["b:" + tokens[i - 1] + " " + t, default: 0] += 1 }
            }
            return counts
        }
        let documents = models.flatMap { m in answers[m]!.map(keys) }
        var frequency: [String: Double] = [:]
        for d in documents { for k in d.keys { frequency[k, default: 0] += 1 } }
        let n = Double(documents.count)
        func vector(_ text: String) -> [String: Double] {
            keys(text).mapValues { $0 }.reduce(into: [:]) { v, e in v[e.key] = (1 + log(e.value)) * (log((1 + n) / (1 + frequency[e.key]!)) + 1) }
        }
        func cosine(_ x: [String: Double], _ y: [String: Double]) -> Double {
            let dot = x.reduce(0) { $0 + $1.value * (y[$1.key] ?? 0) }
            let nx = x.values.reduce(0) { $0 + $1 * $1 }.squareRoot(), ny = y.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return dot / (nx * ny)
        }
        for p in 0..<2 {
            for i in 0..<3 {
                for j in 0..<3 {
                    let naive = cosine(vector(answers[models[i]]![p]), vector(answers[models[j]]![p]))
                    #expect(abs(Double(data.similarities[p][i, j]) - naive) < 1e-4, "probe \(p), \(models[i]) vs \(models[j])")
                }
            }
        }
    }

    @Test func samplesAreAveragedTurnsAreComparedAndProbesMissingAModelAreLeftOut() throws {
        var responses = [
            Self.response("a", probe: 1, prompt: ["q1", "q1b"], turns: ["alpha beta gamma", "delta epsilon"]),
            Self.response("a", probe: 1, prompt: ["q1", "q1b"], turns: ["alpha beta gamma", "delta epsilon"], sample: 1),
            Self.response("b", probe: 1, prompt: ["q1", "q1b"], turns: ["alpha beta gamma", "delta epsilon"]),
            Self.response("a", probe: 2, prompt: ["q2"], turns: ["only a answered"]),
        ]
        responses[1].contentHash = "different"
        let data = try FingerprintBuilder().similarities(of: responses, models: ["a", "b"])
        #expect(data.probes.map(\.probeID) == [1])
        #expect(data.probes[0].turns == 2)
        #expect(data.samples == ["a": 2, "b": 1])
        #expect(abs(data.similarities[0][0, 1] - 1) < 1e-5)   // identical answers, two samples averaged
        #expect(throws: FingerprintError.self) { try FingerprintBuilder().similarities(of: responses, models: ["a", "zzz"]) }
    }
}
