import Foundation

/// Makers and models a response can claim to be, grouped by family, and the detector of such
/// claims. A name counts only in a sentence that speaks of the model itself ("I am ...",
/// "developed by ...", "as an AI language model ...") and only when the probe did not mention it,
/// so that echoes of the question and answers about llamas or palm trees are not claims.
public enum IdentityLexicon {
    public struct Family: Sendable, Equatable {
        public let name: String
        /// Lowercased names; matched on word boundaries.
        public let names: [String]
        /// Lowercased fragments of model names that belong to this family (to infer a reference's family).
        public let modelNameFragments: [String]
    }

    public static let families: [Family] = [
        Family(name: "OpenAI", names: ["openai", "open ai", "chatgpt", "chat gpt", "gpt-3", "gpt-3.5", "gpt-4", "gpt3", "gpt4",
                                        "gpt", "davinci", "instructgpt"],
               modelNameFragments: ["gpt-3", "gpt-4", "gpt35", "gpt4", "gpt3", "chatgpt", "davinci", "openai", "o1-", "o3-"]),
        Family(name: "Anthropic", names: ["anthropic", "claude"], modelNameFragments: ["claude", "anthropic"]),
        Family(name: "Google", names: ["google", "bard", "palm", "palm 2", "palm-2", "gemini", "deepmind", "lamda", "gemma"],
               modelNameFragments: ["palm", "bard", "gemini", "gemma", "google"]),
        Family(name: "Meta", names: ["meta ai", "meta", "facebook", "llama", "llama 2", "llama-2"],
               modelNameFragments: ["llama"]),
        Family(name: "LMSYS", names: ["lmsys", "vicuna", "large model systems", "fastchat"], modelNameFragments: ["vicuna", "fastchat"]),
        Family(name: "LAION / Open Assistant", names: ["laion", "open assistant", "openassistant", "oasst"],
               modelNameFragments: ["oasst", "openassistant"]),
        Family(name: "Mistral", names: ["mistral", "mistral ai", "mixtral"], modelNameFragments: ["mistral", "mixtral"]),
        Family(name: "Alibaba", names: ["alibaba", "qwen", "tongyi"], modelNameFragments: ["qwen"]),
        Family(name: "Microsoft", names: ["microsoft", "bing", "phi"], modelNameFragments: ["phi-", "orca"]),
        Family(name: "Other open models", names: ["databricks", "dolly", "stability ai", "stablelm", "mosaicml", "nomic", "gpt4all",
                                                   "thudm", "chatglm", "tsinghua", "baize", "koala", "wizardlm", "h2o.ai", "h2ogpt",
                                                   "falcon", "technology innovation institute", "rwkv", "alpaca", "stanford"],
               modelNameFragments: []),
    ]

    /// The family a model's name suggests (e.g. "gpt-3.5-turbo" → OpenAI), or nil.
    public static func family(ofModelNamed model: String) -> Family? {
        let lowered = model.lowercased()
        return families.first { family in family.modelNameFragments.contains { lowered.contains($0) } }
    }

    static let selfReference = ["i am", "i'm", "i was", "my name", "my creator", "my developers", "my training",
                                "as an ai", "language model", "ai assistant", "this assistant", "me,", "created me",
                                "trained me", "developed me", "built me"]

    /// For each family, whether the text claims it (in a self-referring sentence, not echoing the prompt).
    public static func claims(in text: String, prompt: String) -> [Bool] {
        let loweredPrompt = prompt.lowercased()
        var claimed = [Bool](repeating: false, count: families.count)
        let lowered = text.lowercased()
        guard selfReference.contains(where: { lowered.contains($0) }) else { return claimed }
        for sentence in sentences(of: lowered) where selfReference.contains(where: { sentence.contains($0) }) {
            for (index, family) in families.enumerated() where !claimed[index] {
                claimed[index] = family.names.contains { name in
                    containsWord(name, in: sentence) && !containsWord(name, in: loweredPrompt)
                }
            }
        }
        return claimed
    }

    static func sentences(of text: String) -> [Substring] {
        text.split(whereSeparator: { $0 == "." || $0 == "!" || $0 == "?" || $0 == "\n" })
    }

    /// Whether `word` occurs in `text` with no letter or digit right before or after it.
    static func containsWord<S: StringProtocol>(_ word: String, in text: S) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: word, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let isBoundary: (Character?) -> Bool = { c in c.map { !($0.isLetter || $0.isNumber) } ?? true }
            if isBoundary(before) && isBoundary(after) { return true }
            searchStart = range.upperBound
        }
        return false
    }
}
