import Foundation
import Testing
@testable import Lineage

/// The fast canonical-JSON writer and hashes against the JSONEncoder code they replaced
/// (`NaiveContentHash`): every stored hash must stay what it was.
@Suite struct CanonicalJSONTests {
    /// Characters that JSON escaping, UTF-8 and line handling treat specially.
    static let tricky: [String] = [
        "", "\"", "\\", "/", "\\/", "\u{0}", "\u{1}", "\u{7}", "\u{8}", "\t", "\n", "\u{B}", "\u{C}", "\r", "\r\n",
        "\u{1F}", " ", "\u{7F}", "\u{80}", "\u{85}", "\u{A0}", "é", "e\u{301}", "\u{2028}", "\u{2029}", "\u{FEFF}",
        "\u{FFFD}", "\u{FFFF}", "中文", "👍🏽", "👨‍👩‍👧", "\u{10FFFF}", "</script>", "{\"a\":1}", "\\u0000", "ﬁ",
    ]

    static func randomString(_ rng: inout SeededGenerator) -> String {
        let length = Int.random(in: 0...24, using: &rng)
        var text = ""
        for _ in 0..<length {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: text += tricky.randomElement(using: &rng)!
            case 1: text.unicodeScalars.append(Unicode.Scalar(UInt8.random(in: 0...127, using: &rng)))
            case 2:
                var scalar: Unicode.Scalar?
                while scalar == nil { scalar = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &rng)) }
                text.unicodeScalars.append(scalar!)
            default: text += "word "
            }
        }
        return text
    }

    static func randomDouble(_ rng: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            var value = Double.nan
            while !value.isFinite { value = Double(bitPattern: rng.next()) }
            return value
        case 1: return Double(Int.random(in: -2000...2000, using: &rng)) / 100
        case 2: return [0.0, -0.0, 1, 0.7, 0.1 + 0.2, 1e15, 1e16, 1e17, 1e-7, 123456789012345680,
                        .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -1e300]
                .randomElement(using: &rng)!
        case 3: return Double(Int64.random(in: .min ... .max, using: &rng))
        default: return Double.random(in: 0...2, using: &rng)
        }
    }

    static func randomParameters(_ rng: inout SeededGenerator) -> SamplingParameters {
        func maybe<T>(_ value: T, _ rng: inout SeededGenerator) -> T? { Bool.random(using: &rng) ? value : nil }
        return SamplingParameters(
            temperature: maybe(randomDouble(&rng), &rng), topP: maybe(randomDouble(&rng), &rng),
            maxTokens: maybe(Int.random(in: -5...100_000, using: &rng), &rng),
            seed: maybe([Int.min, Int.max, 0, -1, Int.random(in: .min ... .max, using: &rng)].randomElement(using: &rng)!, &rng))
    }

    static func randomTurns(_ rng: inout SeededGenerator) -> [String] {
        (0..<Int.random(in: 0...4, using: &rng)).map { _ in randomString(&rng) }
    }

    @Test func everyUnicodeScalarIsEscapedAsJSONEncoderEscapesIt() {
        let all = (0...0x10FFFF).compactMap(Unicode.Scalar.init).map { String(Character($0)) }
        for escapesSlashes in [false, true] {
            var writer = CanonicalJSONWriter(escapesSlashes: escapesSlashes)
            writer.strings(all)
            let expected = escapesSlashes ? NaiveContentHash.databaseJSON(all) : NaiveContentHash.canonicalJSON(all)
            #expect(writer.string == expected)
        }
    }

    @Test func fixedTrickyCasesHashAsBefore() {
        let probes = [ProbeContent(turns: []), ProbeContent(turns: [""]), ProbeContent(system: "", turns: ["a"]),
                      ProbeContent(system: nil, turns: Self.tricky), ProbeContent(system: Self.tricky.joined(), turns: ["x", "y"])]
        for probe in probes {
            #expect(probe.contentHash == NaiveContentHash.probeHash(probe))
        }
        let parameters = [SamplingParameters(), SamplingParameters(temperature: 0), SamplingParameters(temperature: -0.0),
                          SamplingParameters(temperature: 0.7, topP: 1, maxTokens: 512, seed: 1),
                          SamplingParameters(topP: 1e-7, seed: Int.min), SamplingParameters(maxTokens: 0, seed: Int.max)]
        for parameter in parameters {
            #expect(parameter.key == NaiveContentHash.parametersKey(parameter))
            for (error, status) in [(nil, ResponseRecord.Status.ok), ("timeout \"429\"\n/", .failed), ("", .failed)] {
                for turns in [[], [""], Self.tricky] {
                    let fast = ResponseRecord.computeContentHash(
                        model: "m/\"1\"", probeHash: probes[3].contentHash, sampleIndex: -3, parameters: parameter,
                        status: status, turns: turns, error: error)
                    let naive = NaiveContentHash.responseHash(
                        model: "m/\"1\"", probeHash: probes[3].contentHash, sampleIndex: -3, parameters: parameter,
                        status: status, turns: turns, error: error)
                    #expect(fast == naive)
                }
            }
        }
        #expect(ContentHash.sha256("") == NaiveContentHash.sha256(""))
        #expect(ContentHash.sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentHash.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func randomInputsHashAsBefore() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("CanonicalJSONTests seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<3000 {
            let probe = ProbeContent(system: Bool.random(using: &rng) ? Self.randomString(&rng) : nil,
                                     turns: Self.randomTurns(&rng))
            #expect(probe.contentHash == NaiveContentHash.probeHash(probe), "seed \(seed)")
            let parameters = Self.randomParameters(&rng)
            #expect(parameters.key == NaiveContentHash.parametersKey(parameters), "seed \(seed)")
            let model = Self.randomString(&rng)
            let sample = Int.random(in: .min ... .max, using: &rng)
            let status: ResponseRecord.Status = Bool.random(using: &rng) ? .ok : .failed
            let turns = Self.randomTurns(&rng)
            let error = Bool.random(using: &rng) ? Self.randomString(&rng) : nil
            #expect(ResponseRecord.computeContentHash(model: model, probeHash: probe.contentHash, sampleIndex: sample,
                                                      parameters: parameters, status: status, turns: turns, error: error)
                    == NaiveContentHash.responseHash(model: model, probeHash: probe.contentHash, sampleIndex: sample,
                                                     parameters: parameters, status: status, turns: turns, error: error),
                    "seed \(seed)")
            var column = CanonicalJSONWriter(escapesSlashes: true)
            column.strings(turns)
            #expect(column.string == NaiveContentHash.databaseJSON(turns), "seed \(seed)")
            let text = Self.randomString(&rng)
            #expect(ContentHash.sha256(text) == NaiveContentHash.sha256(text), "seed \(seed)")
            #expect(ContentHash.sha256(Data(text.utf8)) == NaiveContentHash.sha256(text), "seed \(seed)")
        }
    }
}
