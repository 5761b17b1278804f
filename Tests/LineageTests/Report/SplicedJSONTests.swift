import Foundation
import Testing
@testable import Lineage

/// A batch's JSON written element by element on every core (`LineageJSON.string(_:splicing:at:)`)
/// must be the text the encoder writes for the whole value at once.
@Suite struct SplicedJSONTests {
    struct Element: Codable, Sendable {
        var name: String
        var values: [Double]
        var nested: [String: [Int]]
        var note: String?
    }

    struct Batch: Codable {
        var schema = "test/v1"
        var results: [Element]
        var zeta: [Int] = []
    }

    @Test func splicedTextEqualsTheWholeEncoding() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("SplicedJSONTests seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        for size in [0, 1, 2, 7, 40] {
            let elements = (0..<size).map { i in
                Element(name: "model \(i) \"quoted\"\nline ✓", values: (0..<Int(rng.next() % 4)).map { _ in Double(rng.next() % 1000) / 7 },
                        nested: rng.next() % 2 == 0 ? [:] : ["empty": [], "full": [1, 2, Int(rng.next() % 9)]],
                        note: rng.next() % 3 == 0 ? nil : "a/b")
            }
            let whole = try LineageJSON.string(Batch(results: elements))
            let spliced = try LineageJSON.string(Batch(results: []), splicing: elements, at: "results")
            #expect(spliced == whole, "size \(size)")
        }
        // A real attribution result, with its many nested fields.
        let study = try FakeStudy().attribution
        #expect(try LineageJSON.string(AttributeBatch(results: []), splicing: [study, study], at: "results")
                == LineageJSON.string(AttributeBatch(results: [study, study])))
    }

    struct AttributeBatch: Encodable {
        var schema = "lineage.attribution-batch/v1"
        var results: [AttributionResult]
        var store = "/tmp/x.sqlite"
    }
}
