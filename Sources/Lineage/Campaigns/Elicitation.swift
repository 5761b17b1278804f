/// Whether a prompt asks for reasoning (chain of thought, step by step, justification) or for
/// code: what a distillation operator wants most from a strong model. Cue words and word pairs,
/// matched on the word hashes `Shingles` computes anyway (no second pass over the text).
public struct Elicitation: Sendable {
    public private(set) var reasoning = false
    public private(set) var code = false
    private var previous: UInt64 = 0

    public init() {}

    static let reasoningWords: Set<UInt64> = Set(["reasoning", "justify", "derive", "prove", "thinking", "rationale",
                                                  "stepwise", "reason", "reasons"].map(Shingles.wordHash))
    static let reasoningPairs: Set<UInt64> = Set([("step", "by"), ("chain", "of"), ("of", "thought"), ("think", "through"),
                                                  ("walk", "through"), ("show", "your"), ("thought", "process"), ("each", "step"),
                                                  ("every", "step"), ("intermediate", "step"), ("intermediate", "steps"),
                                                  ("think", "carefully"), ("explain", "why"), ("let", "s"), ("lets", "think"),
                                                  ("step", "step"), ("your", "work")].map(pair))
    static let codeWords: Set<UInt64> = Set(["code", "implement", "implementation", "function", "functions", "program",
                                             "algorithm", "script", "python", "javascript", "typescript", "rust", "java",
                                             "sql", "regex", "refactor", "compile", "debug", "module", "class", "def",
                                             "api", "kotlin", "haskell", "golang", "c++", "bash", "struct"].map(Shingles.wordHash))
    static let codePairs: Set<UInt64> = Set([("unit", "test"), ("unit", "tests"), ("write", "tests")].map(pair))

    static func pair(_ words: (String, String)) -> UInt64 { pairHash(Shingles.wordHash(words.0), Shingles.wordHash(words.1)) }

    @inline(__always)
    static func pairHash(_ a: UInt64, _ b: UInt64) -> UInt64 { StableHash.mix(a &* 31 ^ b) }

    /// Feeds one word hash, in order.
    public mutating func word(_ hash: UInt64) {
        if !reasoning {
            if Self.reasoningWords.contains(hash) || Self.reasoningPairs.contains(Self.pairHash(previous, hash)) { reasoning = true }
        }
        if !code {
            if Self.codeWords.contains(hash) || Self.codePairs.contains(Self.pairHash(previous, hash)) { code = true }
        }
        previous = hash
    }
}
