import Foundation
import GRDB
import Testing
@testable import Lineage

/// The store's feature cache (issue 14): rows give back the featuriser's output bit for bit, studies
/// read them and give the same results as without them, and a row the store should not trust (another
/// version, damaged bytes) is read as absent.
@Suite struct FeatureCacheTests {
    static func response(_ turns: [String], prompts: [String], id: Int64 = 1, model: String = "m") -> StoredResponse {
        let probe = ProbeContent(turns: prompts)
        return StoredResponse(id: id, model: model, probeID: 1, probeHash: probe.contentHash, probe: probe, sampleIndex: 0,
                              parameters: SamplingParameters(), turns: turns, finishReason: nil, contentHash: "\(id)")
    }

    static func roundTrip(_ features: CachedFeatures) throws -> CachedFeatures {
        try FeatureCodec.decode(FeatureCodec.encode(features))
    }

    @Test func theCodecGivesBackEveryFeatureBitForBit() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("FeatureCacheTests codec seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        let texts = TextFeaturesEquivalenceTests.tricky
        for (i, text) in texts.enumerated() {
            let features = CachedFeatures(of: Self.response([text, texts[(i + 7) % texts.count]], prompts: ["Who are you?", "And then?"]))
            #expect(try Self.roundTrip(features) == features, "\(text.debugDescription)")
        }
        // Echoes and role prefixes: the cleaner's removals come back too.
        let echoed = CachedFeatures(of: Self.response(["Assistant: Tell me a long story about the sea, please, in detail. Once upon a time", "### Human: more"],
                                                      prompts: ["Tell me a long story about the sea, please, in detail.", "More?"]))
        #expect(echoed.removals.contains { !$0.isEmpty })
        #expect(try Self.roundTrip(echoed) == echoed)
        // Counts, dense values and lengths the featuriser does not make today: the format still keeps every bit.
        for _ in 0..<200 {
            func sparse(_ buckets: Int) -> SparseCounts {
                var counts: [Int: Float] = [:]
                for _ in 0..<Int(rng.next() % 300) {
                    let value: Float = switch rng.next() % 5 {
                    case 0: Float(rng.next() % 1000) + 1
                    case 1: Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
                    case 2: 16_777_217
                    default: 1
                    }
                    counts[Int(rng.next() % UInt64(buckets))] = value
                }
                return SparseCounts(counts)
            }
            func dense(_ n: Int) -> [Float] {
                rng.next() % 2 == 0 ? (0..<n).map { _ in Float(rng.next() % 2) }
                                    : (0..<n).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
            }
            let turns = (0..<Int(rng.next() % 3)).map { _ in
                TextFeatures(words: sparse(TextFeatures.wordBuckets), characters: sparse(TextFeatures.characterBuckets),
                             openings: sparse(TextFeatures.openingBuckets), style: dense(TextFeatures.styleNames.count),
                             markers: dense(TextFeatures.markerPhrases.count), identity: dense(IdentityLexicon.families.count),
                             length: Int(rng.next() % 100_000))
            }
            let removals = turns.map { _ in (0..<Int(rng.next() % 3)).map { _ in ResponseCleaner.Removal.allCases.randomElement(using: &rng)! } }
            let features = CachedFeatures(turns: turns, removals: removals)
            #expect(try Self.roundTrip(features) == features)
        }
    }

    @Test func damagedBytesAreRefusedNotMisread() throws {
        let features = CachedFeatures(of: Self.response(["Certainly! Here is a list:\n- one\n- two"], prompts: ["List two things."]))
        let bytes = FeatureCodec.encode(features)
        #expect(throws: FeatureCodecError.self) { try FeatureCodec.decode(Array(bytes.dropLast())) }
        #expect(throws: FeatureCodecError.self) { try FeatureCodec.decode(bytes + [0]) }
        #expect(throws: FeatureCodecError.self) { try FeatureCodec.decode([FeatureCodec.format &+ 1] + bytes.dropFirst()) }
        #expect(throws: FeatureCodecError.self) { try FeatureCodec.decode([]) }
        // Any single byte changed either is refused or decodes to something (never a crash).
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= 0xA5
            _ = try? FeatureCodec.decode(damaged)
        }
    }

    /// The version changes with what the featuriser computes, so rows of an older featuriser are never read.
    @Test func theVersionNamesTheFormatRevisionAndADigest() {
        let version = FeatureCache.version
        #expect(version.hasPrefix("f\(FeatureCodec.format).r\(FeatureCache.revision).") && version.count > 20)
        #expect(version == FeatureCache.version)
    }

    static func withCachedFeatures(_ responses: [StoredResponse], every stride: Int = 1) throws -> [StoredResponse] {
        try responses.enumerated().map { i, response in
            var copy = response
            if i % stride == 0 { copy.features = try roundTrip(CachedFeatures(of: response)) }
            return copy
        }
    }

    @Test func studiesGiveTheSameResultsWithAndWithoutCachedFeatures() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("FeatureCacheTests study seed: \(seed)")
        let models = ["s", "r1", "r2", "alt", "c1", "c2", "c3"]
        let responses = FingerprintDistanceTests.responses(styles: Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) }),
                                                           answers: (0..<20).map { _ in models }, turns: 2, seed: seed)
        let options = StudyBatchTests.options("s", ["r1", "r2"], controls: ["c1", "c2", "c3"])
        let plain = try StudyBatch.run([options], responses: responses)
        #expect(StudyBatchTests.timeless(try StudyBatch.run([options], responses: try Self.withCachedFeatures(responses))) == StudyBatchTests.timeless(plain))
        // Some answers cached and some not (a store filled halfway): the same again.
        #expect(StudyBatchTests.timeless(try StudyBatch.run([options], responses: try Self.withCachedFeatures(responses, every: 3))) == StudyBatchTests.timeless(plain))
        var builder = FingerprintBuilder()
        builder.keepFamilies = true
        let a = try builder.similarities(of: responses, models: models)
        let b = try builder.similarities(of: try Self.withCachedFeatures(responses), models: models)
        #expect(a.similarities.map(\.values).map { $0.map(\.bitPattern) } == b.similarities.map(\.values).map { $0.map(\.bitPattern) })
        #expect(a.cleaning == b.cleaning && a.samples == b.samples && a.logLengths == b.logLengths)
    }

    static func importedStore(in folder: TemporaryFolder, cachingFeatures: Bool = false) throws -> ResponseStore {
        var lines: [String] = []
        for probe in 0..<10 {
            for (model, style) in [("model-a", "Certainly! Here is what I know about"), ("model-b", "hmm ok so"), ("model-c", "Assistant: Well,")] {
                let object: [String: Any] = ["model": model, "probe_id": "q\(probe)", "prompt": "Tell me about topic \(probe).",
                                             "response": "\(style) topic \(probe): café, \(probe * 7) items.\n- one\n- two"]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        let file = try folder.write("t.jsonl", lines.joined(separator: "\n") + "\n")
        let store = try folder.store()
        _ = try TranscriptImporter().importFiles([file], into: store, command: "test", cachingFeatures: cachingFeatures)
        return store
    }

    /// An import that featurises while it writes stores, for every answer it adds, the row a fill
    /// would make from the stored answer; a second import of the same file adds and caches nothing.
    @Test func anImportCachesTheRowsAFillWouldMake() throws {
        let folder = try TemporaryFolder()
        let store = try Self.importedStore(in: folder, cachingFeatures: true)
        #expect(try store.featureCacheSummary().cached == 30)
        #expect(try store.fillFeatureCache() == 0, "nothing left for the fill")
        let read = try store.responses(features: true)
        #expect(read.count == 30)
        for response in read {
            var bare = response
            bare.features = nil
            #expect(response.features == CachedFeatures(of: bare), "\(response.model) \(response.probeID)")
        }
        let again = try TranscriptImporter().importFiles([folder.path("t.jsonl")], into: store, command: "test", cachingFeatures: true)
        #expect(again.added == 0 && again.alreadyStored == 30)
        #expect(try store.featureCacheSummary().cached == 30)
    }

    @Test func theStoreFillsReadsAndDistrustsRows() throws {
        let folder = try TemporaryFolder()
        let store = try Self.importedStore(in: folder)
        #expect(try store.featureCacheSummary().cached == 0)
        #expect(try store.fillFeatureCache() == 30)
        #expect(try store.fillFeatureCache() == 0, "a second fill has nothing to do")
        let summary = try store.featureCacheSummary()
        #expect(summary.responses == 30 && summary.cached == 30 && summary.stale == 0 && summary.bytes > 0 && summary.textBytes > 0)

        let read = try store.responses(features: true)
        #expect(read.count == 30 && read.allSatisfy { $0.features != nil })
        for response in read {
            var bare = response
            bare.features = nil
            #expect(response.features == CachedFeatures(of: bare))
        }
        #expect(try store.responses().allSatisfy { $0.features == nil }, "only a caller that asks reads the rows")
        let verifying = try ResponseStore(path: store.path, readsFeatureCache: false)
        #expect(try verifying.responses(features: true).allSatisfy { $0.features == nil })

        // A damaged row is read as absent; rows of another version are ignored, counted as stale and replaced.
        let firstID = read[0].id
        try store.write { db in try db.execute(sql: "UPDATE featureCache SET features = x'01ff' WHERE responseID = ?", arguments: [firstID]) }
        #expect(try store.responses(features: true).first { $0.id == firstID }?.features == nil)
        try store.write { db in try db.execute(sql: "UPDATE featureCache SET version = 'f0.r0.old'") }
        #expect(try store.responses(features: true).allSatisfy { $0.features == nil })
        #expect(try store.featureCacheSummary().stale == 30)
        #expect(try store.fillFeatureCache() == 30)
        #expect(try store.featureCacheSummary() == summary)
        #expect(try store.dropFeatureCache() == 30)
        #expect(try store.featureCacheSummary().cached == 0)
    }
}
