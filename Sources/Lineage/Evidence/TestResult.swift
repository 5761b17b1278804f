import Foundation

/// An effect size with its confidence interval, as a report shows it.
public struct EffectEstimate: Codable, Sendable, Equatable {
    /// What the number measures, in words (e.g. "mean per-probe lean of S toward R, in cosine similarity").
    public var description: String
    public var estimate: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// Confidence level of the interval, e.g. 0.95.
    public var level: Double
    /// How the interval was obtained, e.g. "percentile bootstrap over probes, B = 2000".
    public var method: String

    public init(description: String, estimate: Double, ciLow: Double, ciHigh: Double, level: Double, method: String) {
        self.description = description
        self.estimate = estimate
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.level = level
        self.method = method
    }
}

/// One probe's contribution to a test: what a report plots and which probes "weigh most".
public struct ProbeEffect: Codable, Sendable, Equatable {
    /// The probe's id in its probe set (or a short hash when it has none).
    public var probeID: String
    public var probeHash: String
    public var category: String?
    public var effect: Double
    public var ciLow: Double?
    public var ciHigh: Double?

    // "probeId" so that LineageJSON's snake_case round-trips ("probe_id" decodes to "probeId", not "probeID").
    enum CodingKeys: String, CodingKey {
        case probeID = "probeId", probeHash, category, effect, ciLow, ciHigh
    }

    public init(probeID: String, probeHash: String, category: String?, effect: Double,
                ciLow: Double? = nil, ciHigh: Double? = nil) {
        self.probeID = probeID
        self.probeHash = probeHash
        self.category = category
        self.effect = effect
        self.ciLow = ciLow
        self.ciHigh = ciHigh
    }
}

/// The result of one statistical test, carrying everything needed to explain it (after scipy.stats'
/// result objects): the null hypothesis in words, the statistic, the p-value, the effect and its
/// interval, sample sizes, the method and the seed that reproduces it.
public struct HypothesisTestResult: Codable, Sendable, Equatable {
    public var name: String
    public var nullHypothesis: String
    public var alternative: String
    public var statistic: Double
    /// What the statistic is, when its units are not obvious from the test (e.g. a max-T test's
    /// standardised maximum over views).
    public var statisticDescription: String?
    /// (1 + #replicates at least as extreme) / (1 + B) for resampling tests.
    public var pValue: Double
    public var effect: EffectEstimate?
    /// e.g. ["probes": 80, "samples": 160, "controls": 3].
    public var sampleSizes: [String: Int]
    public var method: String
    public var replicates: Int?
    public var seed: UInt64?
    /// A sample of the statistic's null distribution (for the report's chart); may be thinned.
    public var nullDistribution: [Double]?
    public var perProbe: [ProbeEffect]?
    /// Whether this is one of the verdict's primary tests (false: reported for context only); see `keptByTarone`.
    public var usedInVerdict: Bool?
    /// The p-value after the multiple-testing adjustment of the verdict's combination (Tarone's Bonferroni), when used in it.
    public var adjustedPValue: Double?
    /// The smallest p-value this test could have reached given its conditioning statistic (a discrete
    /// test's floor, e.g. 0.5^n for an exact test on n discordant probes; 1/(1 + B) for a resampling
    /// test). Tarone's rule leaves a test out of the verdict's family when this cannot reach its level.
    public var minimumAchievablePValue: Double?
    /// Whether Tarone's rule kept this test in the verdict's family (false: it could not reject).
    public var keptByTarone: Bool?

    public init(name: String, nullHypothesis: String, alternative: String, statistic: Double, pValue: Double,
                effect: EffectEstimate? = nil, sampleSizes: [String: Int] = [:], method: String,
                replicates: Int? = nil, seed: UInt64? = nil, nullDistribution: [Double]? = nil,
                perProbe: [ProbeEffect]? = nil, usedInVerdict: Bool? = nil, adjustedPValue: Double? = nil) {
        self.name = name
        self.nullHypothesis = nullHypothesis
        self.alternative = alternative
        self.statistic = statistic
        self.pValue = pValue
        self.effect = effect
        self.sampleSizes = sampleSizes
        self.method = method
        self.replicates = replicates
        self.seed = seed
        self.nullDistribution = nullDistribution
        self.perProbe = perProbe
        self.usedInVerdict = usedInVerdict
        self.adjustedPValue = adjustedPValue
    }
}

/// What a study concludes at level α.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    /// The null hypothesis was rejected at α.
    case evidence
    /// Not rejected, and the study had the power to detect the effect sizes that matter.
    case noEvidence = "no-evidence"
    /// Not rejected, but too few probes or samples to tell: absence of evidence, not evidence of absence.
    case inconclusive
}

/// How well a study could have detected an effect that matters, and what it would take.
public struct PowerEstimate: Codable, Sendable, Equatable {
    /// The effect size that counts as mattering, in the units of the main effect.
    public var effectThatMatters: Double
    /// Estimated probability of rejecting at α if the true effect were `effectThatMatters`.
    public var power: Double
    /// Probes now used, and (when power is short) the estimated number needed for 80% power.
    public var probesUsed: Int
    public var probesNeeded: Int?
    public var method: String

    public init(effectThatMatters: Double, power: Double, probesUsed: Int, probesNeeded: Int?, method: String) {
        self.effectThatMatters = effectThatMatters
        self.power = power
        self.probesUsed = probesUsed
        self.probesNeeded = probesNeeded
        self.method = method
    }
}

/// Pairwise similarities of models' fingerprints, for the heatmap and the lineage tree.
public struct SimilarityMatrix: Codable, Sendable, Equatable {
    public var models: [String]
    /// Row-major, `models.count` × `models.count`, symmetric.
    public var values: [[Double]]

    public init(models: [String], values: [[Double]]) {
        self.models = models
        self.values = values
    }
}

/// What anyone needs to rerun a result exactly.
public struct Reproducibility: Codable, Sendable, Equatable {
    public var command: String
    public var toolVersion: String
    public var blas: String
    public var blasCoreType: String?
    public var seed: UInt64
    public var store: String
    /// Options as given, e.g. ["alpha": "0.05", "bootstrap": "2000"].
    public var configuration: [String: String]
    public var createdAt: Date

    public init(command: String, toolVersion: String = LineageVersion.current, blas: BLASInfo = .current(),
                seed: UInt64, store: String, configuration: [String: String], createdAt: Date = Date()) {
        self.command = command
        self.toolVersion = toolVersion
        self.blas = blas.configuration
        self.blasCoreType = blas.coreType
        self.seed = seed
        self.store = store
        self.configuration = configuration
        self.createdAt = createdAt
    }
}

/// The probe set(s) behind a result.
public struct ProbeSetUsage: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var contentHash: String
    /// Probes used, per category ("uncategorised" when a probe has none).
    public var probesPerCategory: [String: Int]

    public init(name: String, version: String, contentHash: String, probesPerCategory: [String: Int]) {
        self.name = name
        self.version = version
        self.contentHash = contentHash
        self.probesPerCategory = probesPerCategory
    }
}

/// JSON as Lineage writes it everywhere: snake_case keys, sorted, ISO 8601 dates.
public enum LineageJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The JSON of `value` with `elements` in its top-level field `key` (which `value` holds empty),
    /// each element encoded on its own core: the same text as encoding the whole at once, without
    /// one thread writing tens of megabytes of a large batch. The pretty printer indents each
    /// nesting level by two spaces and writes an empty array as "[", a blank line, "]", and JSON
    /// strings hold no raw newline, so an element's text nests by indenting its non-blank lines.
    public static func string<T: Encodable, E: Encodable & Sendable>(_ value: T, splicing elements: [E], at key: String) throws -> String {
        let whole = try string(value)
        let empty = "\n  \"\(key)\" : [\n\n  ]"
        guard !elements.isEmpty, let range = whole.range(of: empty) else { return whole }
        let texts = try concurrentMap(elements.count) { index -> [UInt8] in
            let bytes = try encoder.encode(elements[index])
            var out = [UInt8]()
            out.reserveCapacity(bytes.count + bytes.count / 8)
            var lineStart = true
            for byte in bytes {
                if lineStart && byte != 0x0A { for _ in 0..<4 { out.append(0x20) } }
                out.append(byte)
                lineStart = byte == 0x0A
            }
            return out
        }
        var joined = [UInt8]()
        joined.reserveCapacity(texts.reduce(0) { $0 + $1.count + 2 })
        for (i, text) in texts.enumerated() {
            if i > 0 { joined.append(contentsOf: Array(",\n".utf8)) }
            joined.append(contentsOf: text)
        }
        return String(whole[..<range.lowerBound]) + "\n  \"\(key)\" : [\n" + String(decoding: joined, as: UTF8.self) + "\n  ]"
            + String(whole[range.upperBound...])
    }
}

extension HypothesisTestResult {
    /// The self-identity test's name; studies that combine tests suffix it (e.g. "(OpenAI)").
    public static let selfIdentityName = "self-identity claims"

    /// Whether this is a self-identity test (whatever suffix a combination gave its name), as opposed
    /// to a similarity test.
    public var isSelfIdentity: Bool { name.hasPrefix(Self.selfIdentityName) }
}
