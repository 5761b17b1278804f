import Foundation

/// One scored unit of a radioactivity test: a choice set in a context, and the form the suspect used.
public struct CanaryUnit: Sendable, Hashable {
    public var unit: String
    public var formCount: Int
    public var observed: Int
}

public struct RadioactivityOptions: Sendable {
    public var alpha = 0.05
    /// Random keys the true key is ranked among.
    public var replicates = 999
    public var seed: UInt64 = 20_240_601
    /// Score each (context, choice set) unit once (Sander et al. 2024). Off only to show why it is on.
    public var deduplicate = true
    /// Fewer distinct units than this make a non-rejection inconclusive.
    public var minimumUnits = 200

    public init() {}
}

public struct RadioactivityOutcome: Codable, Sendable, Equatable {
    public var test: HypothesisTestResult
    /// Spots found in the suspect's texts, and the distinct units scored.
    public var spots: Int
    public var units: Int
    public var agreements: Int
    /// P(Binomial(units, 1/2) ≥ agreements): exact when units are distinct, for reference.
    public var binomialPValue: Double
    /// Scored units per kind of choice set.
    public var unitsPerKind: [String: Int]
}

/// The radioactivity test: did the suspect learn from canaried answers?
///
/// Score = the number of the suspect's units whose form agrees with the keyed choice. Under the
/// null (the suspect's texts do not depend on the key) the true key and B random keys give
/// exchangeable scores, so the true score's rank is uniform and p = (1 + #{random ≥ true}) / (1 + B)
/// is exact. Each unit is scored once: repeated units carry the same keyed choice, so counting
/// them again adds correlated agreements that a binomial reading would take for evidence (and
/// that weigh the score toward boilerplate).
public enum RadioactivityTest {
    public static let name = "canary radioactivity test"

    /// The suspect's scored units (first occurrence of each unit, when deduplicating).
    public static func units(_ texts: [String], deduplicate: Bool = true) -> (units: [CanaryUnit], spots: Int, kinds: [String: Int]) {
        units(spots: texts.map { Canary.spots(in: $0) }, deduplicate: deduplicate)
    }

    /// The scored units of texts already scanned (`Canary.spots(in:)` per text).
    public static func units(spots texts: [[CanarySpot]], deduplicate: Bool = true) -> (units: [CanaryUnit], spots: Int, kinds: [String: Int]) {
        var seen = Set<String>()
        var units: [CanaryUnit] = []
        var spots = 0
        var kinds: [String: Int] = [:]
        for text in texts {
            for spot in text {
                spots += 1
                if deduplicate && !seen.insert(spot.unit).inserted { continue }
                units.append(CanaryUnit(unit: spot.unit, formCount: spot.formCount, observed: spot.observed))
                kinds[spot.kind.rawValue, default: 0] += 1
            }
        }
        return (units, spots, kinds)
    }

    public static func score(_ units: [CanaryUnit], key: CanaryKey) -> Int {
        units.reduce(0) { $0 + (key.choice(unit: $1.unit, count: $1.formCount) == $1.observed ? 1 : 0) }
    }

    public static func run(_ texts: [String], key: CanaryKey, options: RadioactivityOptions = RadioactivityOptions()) -> RadioactivityOutcome {
        run(spots: texts.map { Canary.spots(in: $0) }, key: key, options: options)
    }

    /// The test on texts already scanned (`Canary.spots(in:)` per text).
    public static func run(spots texts: [[CanarySpot]], key: CanaryKey, options: RadioactivityOptions = RadioactivityOptions()) -> RadioactivityOutcome {
        let (units, spots, kinds) = Self.units(spots: texts, deduplicate: options.deduplicate)
        let messages = units.map { (Data($0.unit.utf8), $0.formCount, $0.observed) }
        func score(_ key: CanaryKey) -> Int {
            messages.reduce(0) { $0 + (key.choice(message: $1.0, count: $1.1) == $1.2 ? 1 : 0) }
        }
        let observed = score(key)
        var null: [Double] = []
        null.reserveCapacity(options.replicates)
        var extreme = 0
        for index in 0..<options.replicates {
            let value = score(CanaryKey.random(seed: options.seed, index: index))
            null.append(Double(value))
            if value >= observed { extreme += 1 }
        }
        let pValue = Double(1 + extreme) / Double(1 + options.replicates)
        let n = units.count
        let expected = units.reduce(0.0) { $0 + 1 / Double($1.formCount) }
        let variance = units.reduce(0.0) { $0 + (1 / Double($1.formCount)) * (1 - 1 / Double($1.formCount)) }
        let rate = n > 0 ? (Double(observed) - expected) / Double(n) : 0
        let half = n > 0 ? 1.959963984540054 * variance.squareRoot() / Double(n) : 0
        let binomial = units.allSatisfy({ $0.formCount == 2 })
            ? Distributions.binomialHalfUpperTail(atLeast: observed, of: n) : .nan
        var test = HypothesisTestResult(
            name: name,
            nullHypothesis: "The suspect's texts do not depend on the canary key: it did not learn from the canaried answers.",
            alternative: "The suspect's choices agree with the keyed choices more often than with random keys' choices.",
            statistic: Double(observed),
            pValue: pValue,
            effect: EffectEstimate(description: "agreement rate with the keyed choices beyond chance (agreements − expected) / units",
                                   estimate: rate, ciLow: rate - half, ciHigh: rate + half, level: 0.95,
                                   method: "normal approximation, units independent under the null"),
            sampleSizes: ["units": n, "spots": spots, "texts": texts.count],
            method: "rank of the true key's score among \(options.replicates) random keys (seeded), p = (1 + #{random ≥ true}) / (1 + B); "
                + (options.deduplicate ? "each (context, choice set) unit scored once" : "every spot scored, repeats included (not deduplicated)"),
            replicates: options.replicates, seed: options.seed, nullDistribution: Array(null.prefix(2_000)), usedInVerdict: true)
        test.statisticDescription = "number of scored units where the suspect's form is the keyed form (\(formatNumber(expected)) expected by chance)"
        test.minimumAchievablePValue = 1 / Double(1 + options.replicates)
        return RadioactivityOutcome(test: test, spots: spots, units: n, agreements: observed, binomialPValue: binomial, unitsPerKind: kinds)
    }
}
