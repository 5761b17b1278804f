import Foundation
import Lineage

/// A synthetic study of the size of a real one, made by the project's own code for benchmarks:
/// families of models with their own word preferences, formatting habits and marker phrases;
/// students that mix their own family's style with a teacher's; prompts with their own topic words
/// that every model shares (as real prompts pull all answers toward the same words).
///
/// It is no stand-in for real data in judging attribution (lineage-dev is for that); it gives the
/// benchmarks realistic sizes: vocabulary, answer lengths, formatting, number of models and prompts.
struct SyntheticCorpus {
    var models: Int
    var prompts: Int
    var samples: Int
    var seed: UInt64

    struct Style {
        var wordWeights: [Double]       // cumulative, over the vocabulary
        var markers: [String]
        var listProbability: Double
        var boldProbability: Double
        var headerProbability: Double
        var meanSentences: Double
    }

    /// Model names in generation order, six at a time (one per family): teachers, then students
    /// (odd rounds: `student-F-R` learnt from teacher-0's outputs) and controls (even rounds).
    func modelNames() -> [String] {
        (0..<models).map { index in
            let family = index % Self.families, round = index / Self.families
            if round == 0 { return "teacher-\(family)" }
            return round % 2 == 1 ? "student-\(family)-\(round)" : "control-\(family)-\(round)"
        }
    }

    static let families = 6
    static let vocabularySize = 6000

    /// Writes one Lineage JSONL file per model into `folder` and returns their paths.
    func write(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: seed)
        let vocabulary = Self.vocabulary(&rng)
        let zipf = (1...Self.vocabularySize).map { 1 / pow(Double($0), 1.05) }
        let familyStyles = (0..<Self.families).map { _ in Self.style(base: zipf, noise: 1.0, &rng) }
        let topics = (0..<prompts).map { _ in (0..<12).map { _ in Int.random(in: 0..<Self.vocabularySize, using: &rng) } }
        let promptTexts = (0..<prompts).map { index in
            "Question \(index): explain " + topics[index].prefix(4).map { vocabulary[$0] }.joined(separator: " ") + "?"
        }
        var paths: [String] = []
        for (index, name) in modelNames().enumerated() {
            let family = index % Self.families
            var own = Self.style(base: zipf, noise: 0.6, &rng)
            let role = index / Self.families
            if role == 0 {
                own = Self.mix(familyStyles[family], own, weight: 0.8)
            } else if role % 2 == 1 {
                // A student: its own family's style blended with teacher family 0's.
                own = Self.mix(familyStyles[0], Self.mix(familyStyles[family], own, weight: 0.7), weight: 0.5)
            } else {
                own = Self.mix(familyStyles[family], own, weight: 0.7)
            }
            var lines = ""
            for prompt in 0..<prompts {
                for sample in 0..<samples {
                    let text = Self.answer(style: own, topic: topics[prompt], vocabulary: vocabulary, &rng)
                    let record: [String: Any] = [
                        "model": name, "probe_id": "p\(prompt)", "probe_set": "synthetic", "prompt": promptTexts[prompt],
                        "response": text, "sample_index": sample, "params": ["temperature": 0.7],
                    ]
                    lines += String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]),
                                    as: UTF8.self) + "\n"
                }
            }
            let path = folder.appendingPathComponent("\(name).jsonl")
            try Data(lines.utf8).write(to: path, options: .atomic)
            paths.append(path.path)
        }
        return paths
    }

    static func vocabulary(_ rng: inout SeededGenerator) -> [String] {
        let syllables = ["ka", "lo", "mi", "ne", "tor", "ar", "el", "is", "un", "ber", "sta", "ve", "ri", "co", "pa",
                         "qu", "an", "te", "do", "sen", "ly", "tion", "ment", "er", "in", "ro", "ga", "fi", "hu", "zo"]
        var words = Set<String>()
        var result: [String] = []
        while result.count < vocabularySize {
            let length = Int.random(in: 1...3, using: &rng)
            let word = (0..<length).map { _ in syllables.randomElement(using: &rng)! }.joined()
            if words.insert(word).inserted { result.append(word) }
        }
        return result
    }

    static func style(base: [Double], noise: Double, _ rng: inout SeededGenerator) -> Style {
        var weights = base.map { $0 * exp(noise * normal(&rng)) }
        for i in 1..<weights.count { weights[i] += weights[i - 1] }
        let markerPool = ["Certainly!", "Great question!", "I hope this helps.", "In summary,", "Sure thing.",
                          "As an AI language model,", "Let me explain.", "Here is an overview:", "Of course!", "To conclude,"]
        return Style(wordWeights: weights,
                     markers: Array(markerPool.shuffled(using: &rng).prefix(3)),
                     listProbability: Double.random(in: 0...0.6, using: &rng),
                     boldProbability: Double.random(in: 0...0.4, using: &rng),
                     headerProbability: Double.random(in: 0...0.3, using: &rng),
                     meanSentences: Double.random(in: 4...14, using: &rng))
    }

    /// A style between `a` (with `weight`) and `b`.
    static func mix(_ a: Style, _ b: Style, weight: Double) -> Style {
        func density(_ cumulative: [Double]) -> [Double] {
            let total = cumulative.last!
            return cumulative.indices.map { ($0 == 0 ? cumulative[0] : cumulative[$0] - cumulative[$0 - 1]) / total }
        }
        let da = density(a.wordWeights), db = density(b.wordWeights)
        var mixed = zip(da, db).map { weight * $0 + (1 - weight) * $1 }
        for i in 1..<mixed.count { mixed[i] += mixed[i - 1] }
        return Style(wordWeights: mixed, markers: weight >= 0.5 ? a.markers : b.markers,
                     listProbability: weight * a.listProbability + (1 - weight) * b.listProbability,
                     boldProbability: weight * a.boldProbability + (1 - weight) * b.boldProbability,
                     headerProbability: weight * a.headerProbability + (1 - weight) * b.headerProbability,
                     meanSentences: weight * a.meanSentences + (1 - weight) * b.meanSentences)
    }

    static func answer(style: Style, topic: [Int], vocabulary: [String], _ rng: inout SeededGenerator) -> String {
        let total = style.wordWeights.last!
        func word() -> String {
            if Double.random(in: 0..<1, using: &rng) < 0.25 { return vocabulary[topic.randomElement(using: &rng)!] }
            let x = Double.random(in: 0..<total, using: &rng)
            var low = 0, high = style.wordWeights.count - 1
            while low < high {
                let mid = (low + high) / 2
                if style.wordWeights[mid] < x { low = mid + 1 } else { high = mid }
            }
            return vocabulary[low]
        }
        var parts: [String] = []
        if Double.random(in: 0..<1, using: &rng) < 0.7 { parts.append(style.markers[0]) }
        if Double.random(in: 0..<1, using: &rng) < style.headerProbability { parts.append("## " + word().capitalized) }
        let sentences = max(1, Int(style.meanSentences * exp(0.4 * normal(&rng))))
        let asList = Double.random(in: 0..<1, using: &rng) < style.listProbability
        for index in 0..<sentences {
            var words = (0..<Int.random(in: 6...18, using: &rng)).map { _ in word() }
            if Double.random(in: 0..<1, using: &rng) < style.boldProbability { words[0] = "**\(words[0])**" }
            let sentence = words.joined(separator: " ").prefix(1).uppercased() + words.joined(separator: " ").dropFirst() + "."
            parts.append(asList ? "\(index + 1). \(sentence)" : sentence)
        }
        if Double.random(in: 0..<1, using: &rng) < 0.4 { parts.append(style.markers[1]) }
        return parts.joined(separator: asList ? "\n" : " ")
    }

    /// A standard normal draw (Box–Muller).
    static func normal(_ rng: inout SeededGenerator) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
