import Foundation
import Testing
@testable import Lineage

@Suite struct StudyBatchTests {
    /// 30 probes answered by all eight models, then 5 that "h" skips.
    static func corpus(seed: UInt64) -> [StoredResponse] {
        let models = ["s", "r1", "r2", "alt", "c1", "c2", "c3", "h"]
        let answers = (0..<30).map { _ in models } + (0..<5).map { _ in Array(models.dropLast()) }
        return FingerprintDistanceTests.responses(styles: Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) }),
                                                  answers: answers, turns: 1, seed: seed)
    }

    static func options(_ suspect: String, _ references: [String], controls: [String]) -> AttributionOptions {
        var o = AttributionOptions(suspect: suspect, references: references, alternativeReferences: ["alt"], controls: controls)
        o.replicates = 199
        o.bootstrap = 199
        o.referenceFamily = "OpenAI"
        return o
    }

    /// The result with its creation time cleared: two runs of the same study differ only there.
    static func timeless(_ r: AttributionResult) -> AttributionResult {
        var out = r
        out.reproducibility.createdAt = Date(timeIntervalSince1970: 0)
        return out
    }

    static func timeless(_ rs: [AttributionResult]) -> [AttributionResult] { rs.map(timeless) }

    @Test func aBatchOfOneIsTheLoneStudy() throws {
        let responses = Self.corpus(seed: 7)
        let single = Self.options("s", ["r1"], controls: ["c1", "c2", "c3"])
        let lone = try AttributionStudy.run(options: single, responses: responses)
        #expect(Self.timeless(try StudyBatch.run([single], responses: responses)) == [Self.timeless(lone)])
        let two = Self.options("s", ["r1", "r2"], controls: ["c1", "c2", "c3"])
        #expect(Self.timeless(try StudyBatch.run([two], responses: responses)) == [Self.timeless(try AttributionStudy.runEachReference(options: two, responses: responses))])
    }

    @Test func studiesShareOneFeaturisationAndKeepTheirOwnProbes() throws {
        let responses = Self.corpus(seed: 11)
        let a = Self.options("s", ["r1"], controls: ["c1", "c2"])
        let b = Self.options("c3", ["r1"], controls: ["c1", "c2", "h"])
        let c = Self.options("c3", ["r2"], controls: ["c1", "c2"])
        let results = try StudyBatch.run([a, b, c], responses: responses)
        // The union names "h", which skips 5 probes: a and c share more probes than the union and are studied on their own
        // featurisation; b's models are the union's common probes, so it reads the union's cosines.
        #expect(Self.timeless(results[0]) == Self.timeless(try AttributionStudy.run(options: a, responses: responses)))
        #expect(results[0].probes == 35 && results[1].probes == 30)
        var builder = FingerprintBuilder()
        builder.keepFamilies = true
        var union: [String] = []
        for o in [a, b, c] { for m in o.models where !union.contains(m) { union.append(m) } }
        let shared = try builder.similarities(of: responses, models: union)
        #expect(Self.timeless(results[1]) == Self.timeless(try AttributionStudy.analyse(options: b, similarities: shared.restricted(to: b.models))))
    }

    @Test func benjaminiHochbergMatchesTheNaiveDefinition() {
        var generator = SeededGenerator(seed: UInt64.random(in: 0...UInt64(UInt32.max)))
        for _ in 0..<50 {
            let p = (0..<Int.random(in: 1...12, using: &generator)).map { _ in Double.random(in: 0...1, using: &generator) }
            let m = Double(p.count)
            let ranks = p.map { x in Double(p.filter { $0 <= x }.count) }
            let naive = p.indices.map { i in p.indices.filter { p[$0] >= p[i] }.map { min(1, m * p[$0] / ranks[$0]) }.min()! }
            let fast = MultipleTesting.benjaminiHochberg(p)
            for (x, y) in zip(naive, fast) { #expect(abs(x - y) < 1e-12, "\(p)") }
        }
    }

    @Test func pairsFilesReadAndFailWithTheLine() throws {
        let folder = try TemporaryFolder()
        let csv = try folder.write("pairs.csv", "suspect,references,alternatives,controls\ns,r1;r2,alt,c1;c2\nt,r1,,\n")
        #expect(try PairRequest.read(path: csv) == [PairRequest(suspect: "s", references: ["r1", "r2"], alternatives: ["alt"], controls: ["c1", "c2"]),
                                                    PairRequest(suspect: "t", references: ["r1"])])
        let jsonl = try folder.write("pairs.jsonl", #"{"suspect": "s", "reference": "r1", "controls": ["c1"]}"# + "\n")
        #expect(try PairRequest.read(path: jsonl) == [PairRequest(suspect: "s", references: ["r1"], controls: ["c1"])])
        let bad = try folder.write("bad.csv", "suspect,references\ns,\n")
        do {
            _ = try PairRequest.read(path: bad)
            Issue.record("a pair without a reference was accepted")
        } catch let error as ImportError {
            #expect(error.description.contains("bad.csv:2:"))
        }
    }
}
