import Foundation
import Testing
@testable import Lineage

/// Canaries: the filter changes only listed forms, leaves code alone, and the radioactivity test
/// holds its level on unwatermarked text, finds watermarked students, and needs deduplication.
@Suite struct CanaryTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("CanaryTests seed: \(seed)")
        return seed
    }()

    /// Toy answers dense in eligible spots; every form is picked at random (a natural writer), or
    /// the keyed form with probability `dose` (a student of canaried answers).
    struct ToyWriter {
        static let nouns = ["river", "engine", "garden", "market", "bridge", "school", "library", "station", "forest", "harbour",
                            "village", "museum", "factory", "island", "valley", "tower", "castle", "meadow", "canal", "temple"]
        static let adjectives = ["quiet", "old", "busy", "narrow", "bright", "famous", "small", "ancient", "modern", "green"]

        var key: CanaryKey?
        var dose = 0.0

        func pick<T>(_ items: [T], _ g: inout SeededGenerator) -> T { items[Int(g.next() % UInt64(items.count))] }

        func sentence(_ g: inout SeededGenerator) -> String {
            let n = { (g: inout SeededGenerator) in pick(Self.nouns, &g) }
            let a = { (g: inout SeededGenerator) in pick(Self.adjectives, &g) }
            let number = 10_000 + Int(g.next() % 90_000)
            switch g.next() % 6 {
            case 0: return "The colour of the \(n(&g)) is \(a(&g))."
            case 1: return "We organise the \(n(&g)), the \(n(&g)) and the \(n(&g)) every week."
            case 2: return "About \(CanaryScanner.grouped(String(number))) people walked toward the \(a(&g)) centre."
            case 3: return "For example, the \(n(&g)) behaviour near the \(n(&g)) is my favourite."
            case 4: return "Items:\n- \(n(&g))\n- \(n(&g))\n- \(n(&g))\n"
            default: return "They analysed the grey \(n(&g)) amongst the \(a(&g)) \(n(&g))s."
            }
        }

        /// A text of `count` sentences, each spot's form chosen by this writer.
        func text(sentences count: Int, _ g: inout SeededGenerator) -> String {
            let draft = (0..<count).map { _ in sentence(&g) }.joined(separator: " ")
            return Canary.rewrite(draft) { spot in
                if let key, Double(g.next() >> 11) * 0x1.0p-53 < dose { return key.choice(unit: spot.unit, count: spot.formCount) }
                return Int(g.next() % UInt64(spot.formCount))
            }.text
        }
    }

    @Test func spotsOfEveryKindAreFound() {
        let text = """
            The colour of the sky, the sea, and the land changed toward evening.
            For example, about 12,345 people came.

            - first
            - second
            """
        let spots = Canary.spots(in: text)
        let kinds = spots.map(\.kind)
        #expect(kinds == [.spelling, .serialComma, .variant, .variant, .digitGrouping, .bulletMarker], "\(kinds)")
        #expect(spots.map(\.observed) == [1, 1, 0, 0, 1, 0])
        // The context is the words before, with set members written as their set.
        #expect(spots[0].context == ["the"])
        #expect(spots[1].context == ["sky", "the", "sea"])
        #expect(spots[3].context == ["changed", "§variant:toward", "evening"])
        #expect(spots[4].context == ["evening", "§variant:for example", "about"])
        #expect(spots[5].context == ["12345", "people", "came"])
    }

    @Test func codeURLsAndCompoundsAreLeftAlone() {
        let text = """
            Use `color: gray` in CSS, see https://example.com/color and color-blind users.
            ```css
            .a { color: gray; }
            ```
                indented color code
            """
        for index in 0..<20 {
            let rewritten = Canary.apply(text, key: CanaryKey.random(seed: seed, index: index))
            #expect(rewritten.text == text)
            #expect(rewritten.spots == 0)
        }
    }

    /// Independent of the scanner: the input and output differ only by listed substitutions,
    /// word for word (after detaching a trailing comma).
    static func onlyListedSubstitutions(_ a: String, _ b: String) -> Bool {
        let pairs = Set((CanaryForms.spellings + CanaryForms.variants + [("example", "instance")]).flatMap { [$0.0 + "|" + $0.1, $0.1 + "|" + $0.0] })
        let x = a.split(whereSeparator: \.isWhitespace), y = b.split(whereSeparator: \.isWhitespace)
        guard x.count == y.count else { return false }
        for (u, v) in zip(x, y) where u != v {
            let (p, q) = (u.lowercased(), v.lowercased())
            let strip = { (s: String) in s.hasSuffix(",") ? String(s.dropLast()) : s }
            if strip(p) == strip(q) { continue }                                   // serial comma
            if Set([p, q]) == ["-", "*"] { continue }                               // bullet
            if p.dropLast() == q.dropLast(), Set([p.last!, q.last!]) == [".", ")"] { continue }  // numbered marker
            if p.filter({ $0 != "," }) == q.filter({ $0 != "," }), p.first!.isNumber { continue }   // digit grouping
            let core = { (s: String) in String(s.drop { !$0.isLetter }.reversed().drop { !$0.isLetter }.reversed()) }
            if pairs.contains(core(p) + "|" + core(q)) { continue }
            return false
        }
        return true
    }

    @Test func theFilterChangesOnlyListedFormsAndIsIdempotent() throws {
        var generator = SeededGenerator(seed: seed)
        let key = CanaryKey.random(seed: seed, index: 1_000_000)
        var texts = (0..<50).map { _ in ToyWriter().text(sentences: 8, &generator) }
        texts += Self.realAnswers().prefix(300)
        var changed = 0
        for text in texts {
            let once = Canary.apply(text, key: key)
            changed += once.changed
            #expect(Self.onlyListedSubstitutions(text, once.text), "\(text)\n→\n\(once.text)")
            #expect(Canary.canonical(once.text) == Canary.canonical(text))
            #expect(Canary.apply(once.text, key: key).text == once.text)
        }
        #expect(changed > 100)
    }

    /// Unwatermarked texts, a fresh true key per study: rejection at α = 0.05 within 3 binomial
    /// standard errors; the closed-form binomial p on deduplicated units holds too.
    @Test func nullHoldsOnUnwatermarkedText() {
        var generator = SeededGenerator(seed: seed &+ 1)
        let studies = 250, alpha = 0.05
        var options = RadioactivityOptions()
        options.replicates = 39
        var rejections = 0, binomialRejections = 0
        for study in 0..<studies {
            let texts = (0..<3).map { _ in ToyWriter().text(sentences: 6, &generator) }
            options.seed = seed &+ UInt64(study)
            let outcome = RadioactivityTest.run(texts, key: CanaryKey.random(seed: ~seed, index: study), options: options)
            if outcome.test.pValue <= alpha { rejections += 1 }
            if outcome.binomialPValue <= alpha { binomialRejections += 1 }
        }
        let band = alpha + 3 * (alpha * (1 - alpha) / Double(studies)).squareRoot()
        print("canary null: \(studies) studies, random-key test rejects \(Double(rejections) / Double(studies)), binomial \(Double(binomialRejections) / Double(studies)) (band ≤ \(band))")
        #expect(Double(rejections) / Double(studies) <= band)
        #expect(Double(binomialRejections) / Double(studies) <= band)
    }

    /// Real answers never canaried (samples/local-models.jsonl), many true keys: rejection within
    /// 3 binomial standard errors of α, for the random-key rank and the binomial reading.
    @Test func nullHoldsOnRealAnswers() {
        let answers = Self.realAnswers()
        guard !answers.isEmpty else { print("canary real-answer null: samples/local-models.jsonl not found, skipped"); return }
        let spots = answers.map { Canary.spots(in: $0) }
        let alpha = 0.05
        var binomial = 0, rank = 0
        let keys = 500, rankKeys = 200
        var options = RadioactivityOptions()
        options.replicates = 19
        let units = RadioactivityTest.units(spots: spots).units
        for index in 0..<keys {
            let key = CanaryKey.random(seed: ~seed, index: index)
            if Distributions.binomialHalfUpperTail(atLeast: RadioactivityTest.score(units, key: key), of: units.count) <= alpha { binomial += 1 }
            if index < rankKeys {
                options.seed = seed &+ UInt64(index)
                if RadioactivityTest.run(spots: spots, key: key, options: options).test.pValue <= alpha { rank += 1 }
            }
        }
        let band = { (n: Int) in alpha + 3 * (alpha * (1 - alpha) / Double(n)).squareRoot() }
        print("canary real-answer null: \(answers.count) answers, \(units.count) units; binomial rejects \(Double(binomial) / Double(keys)) of \(keys) keys (band ≤ \(band(keys))), random-key rank \(Double(rank) / Double(rankKeys)) of \(rankKeys) (band ≤ \(band(rankKeys)))")
        #expect(Double(binomial) / Double(keys) <= band(keys))
        #expect(Double(rank) / Double(rankKeys) <= band(rankKeys))
    }

    /// A student that uses the keyed form on 30% of spots (natural choice otherwise), on texts it
    /// was never served: found in nearly every study.
    @Test func studentsOfCanariedAnswersAreDetected() {
        var generator = SeededGenerator(seed: seed &+ 2)
        let studies = 20
        var options = RadioactivityOptions()
        options.replicates = 99
        var rejections = 0
        for study in 0..<studies {
            let key = CanaryKey.random(seed: ~seed, index: study)
            let texts = (0..<24).map { _ in ToyWriter(key: key, dose: 0.3).text(sentences: 8, &generator) }
            options.seed = seed &+ UInt64(study)
            let outcome = RadioactivityTest.run(texts, key: key, options: options)
            if outcome.test.pValue <= 0.05 { rejections += 1 }
            if study == 0 { print("canary power: \(outcome.units) units, \(outcome.agreements) agreements, p = \(outcome.test.pValue), binomial p = \(outcome.binomialPValue)") }
        }
        print("canary power: \(rejections)/\(studies) studies rejected (dose 0.3)")
        #expect(rejections >= 18)
    }

    /// Boilerplate repeated in every answer: counted each time, its units' shared keyed choices
    /// look like evidence to the binomial reading; scored once, they do not. (The random-key rank
    /// stays valid either way, since all keys see the same repeats.)
    @Test func deduplicationMatters() {
        var generator = SeededGenerator(seed: seed &+ 3)
        let studies = 150, alpha = 0.05
        var options = RadioactivityOptions()
        options.replicates = 19
        var naive = 0, deduplicated = 0, rankNaive = 0
        for study in 0..<studies {
            let boilerplate = ToyWriter().text(sentences: 3, &generator)
            let spots = (0..<30).map { _ in Canary.spots(in: boilerplate + " " + ToyWriter().text(sentences: 1, &generator)) }
            let key = CanaryKey.random(seed: ~seed, index: study)
            options.seed = seed &+ UInt64(study)
            options.deduplicate = false
            let all = RadioactivityTest.run(spots: spots, key: key, options: options)
            if all.binomialPValue <= alpha { naive += 1 }
            if all.test.pValue <= alpha { rankNaive += 1 }
            options.deduplicate = true
            if RadioactivityTest.run(spots: spots, key: key, options: options).binomialPValue <= alpha { deduplicated += 1 }
        }
        let band = alpha + 3 * (alpha * (1 - alpha) / Double(studies)).squareRoot()
        print("canary dedup: binomial rejects \(Double(naive) / Double(studies)) without deduplication, \(Double(deduplicated) / Double(studies)) with; random-key rank without: \(Double(rankNaive) / Double(studies)) (band ≤ \(band))")
        #expect(Double(naive) / Double(studies) > 2 * band)
        #expect(Double(deduplicated) / Double(studies) <= band)
        #expect(Double(rankNaive) / Double(studies) <= band)
    }

    /// What the filter costs on real answers (figures printed, not asserted: a debug build).
    @Test func filterCostOnRealAnswers() {
        let answers = Self.realAnswers()
        guard !answers.isEmpty else { print("canary cost: samples/local-models.jsonl not found, skipped"); return }
        let key = CanaryKey.generate()
        let clock = ContinuousClock()
        var words = 0, changed = 0, spots = 0, characters = 0
        let elapsed = clock.measure {
            for answer in answers {
                let rewritten = Canary.apply(answer, key: key)
                words += rewritten.words
                changed += rewritten.changed
                spots += rewritten.spots
                characters += answer.count
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("canary cost: \(answers.count) real answers, \(words) words: \(spots) spots, \(changed) changed (\(String(format: "%.2f", 100 * Double(changed) / Double(max(1, words))))% of words); one core: \(Int(Double(answers.count) / seconds)) answers/s, \(Int(Double(words) / seconds)) words/s, \(String(format: "%.2f", Double(characters) / seconds / 1e6)) M characters/s (debug build)")
    }

    /// The answers of samples/local-models.jsonl when the checkout has it.
    static func realAnswers() -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        guard let text = try? String(contentsOf: root.appendingPathComponent("samples/local-models.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["response"] as? String
        }
    }
}
