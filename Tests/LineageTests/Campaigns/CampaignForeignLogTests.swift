import Foundation
import Testing
@testable import Lineage

/// A log written by a second, much simpler generator than `LogSimulator` (its own word lists and
/// habits): benign users share a small pool of question templates (so benign accounts look alike
/// more than real ones do), a heavy translation bot repeats one template, and a campaign
/// paraphrases its reasoning requests with synonyms and has no shared infrastructure. The
/// detector was not tuned on it; it guards against fitting the project's own simulator.
@Suite struct CampaignForeignLogTests {
    static func log(seed: UInt64) -> (ShardSummary, campaign: Set<String>, heavy: String) {
        var rng = SeededGenerator(seed: seed)
        func pick(_ list: [String]) -> String { list[Int(rng.next() % UInt64(list.count))] }
        func uniform() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
        let subjects = ["my cat", "the budget", "our wedding", "a python script", "the garden", "my thesis", "the car", "a birthday",
                        "the spreadsheet", "my resume", "the trip to rome", "a dinner party", "the new phone", "my knee", "the lease"]
        let benignTemplates = ["what should i do about {s}", "any ideas for {s}?", "help me plan {s}", "write a short note about {s}",
                               "is it normal that {s} is like this", "summarise the issue with {s}", "give me a checklist for {s}",
                               "how much does {s} usually cost", "make a joke about {s}", "what is a good name for {s}",
                               "rewrite: {s} is not working again", "explain {s} to my grandmother"]
        let openers = ["Carefully", "Methodically", "Rigorously", "Patiently", "Thoroughly"]
        let verbs = ["reason through", "work out", "analyse", "break down", "solve"]
        let asks = ["showing each step of your thinking", "writing out every step of the reasoning", "justifying every step in detail",
                    "laying out your full chain of thought", "explaining the logic step by step"]
        let problems = ["a puzzle about \(Int.random(in: 0...0)) coins", "a scheduling problem with meetings", "a geometry question about circles",
                        "a probability question about dice", "a logic grid with five houses", "an optimisation of delivery routes",
                        "a proof about prime numbers", "a recursion problem on trees"]
        var summary = ShardSummary()
        let start = 1_790_812_800.0
        for user in 0..<400 {
            let account = "cust_\(String(rng.next() % 1_000_000_007, radix: 36))"
            let habits = (0..<2).map { _ in pick(benignTemplates) }
            let count = 5 + Int(rng.next() % 36)
            for _ in 0..<count {
                let prompt = pick(habits).replacingOccurrences(of: "{s}", with: pick(subjects))
                summary.add(LogRecord(account: account, time: start + uniform() * 30 * 86_400, prompt: prompt,
                                      inputTokens: 12 + Int(rng.next() % 20), outputTokens: 150 + Int(rng.next() % 400),
                                      maxTokens: user % 3 == 0 ? 1024 : nil, model: "m", network: "net-\(user)"))
            }
        }
        let heavy = "translation-bot"
        for index in 0..<5000 {
            summary.add(LogRecord(account: heavy, time: start + Double(index) * 500, prompt: "Translate to French: " + pick(subjects) + " " + pick(subjects),
                                  inputTokens: 20, outputTokens: 25, maxTokens: 200, model: "m", network: "dc-1"))
        }
        var campaign = Set<String>()
        for _ in 0..<150 {
            let account = "cust_\(String(rng.next() % 1_000_000_007, radix: 36))"
            campaign.insert(account)
            for _ in 0..<(10 + Int(rng.next() % 11)) {
                let prompt = "\(pick(openers)) \(pick(verbs)) \(pick(problems)), \(pick(asks)), then state the answer."
                summary.add(LogRecord(account: account, time: start + uniform() * 30 * 86_400, prompt: prompt,
                                      inputTokens: 25, outputTokens: 1500 + Int(rng.next() % 2500), maxTokens: 8000, model: "m"))
            }
        }
        return (summary, campaign, heavy)
    }

    @Test func findsAParaphrasingCampaignInAnotherGeneratorsLog() {
        let (summary, campaign, heavy) = Self.log(seed: 51)
        let flagged = CampaignDetector().detect(summary).flaggedAccountSet
        let truePositives = flagged.intersection(campaign).count
        #expect(!flagged.contains(heavy))
        #expect(Double(truePositives) / Double(max(1, flagged.count)) >= 0.95, "\(flagged.count) flagged, \(truePositives) right")
        #expect(Double(truePositives) / Double(campaign.count) >= 0.9, "\(truePositives) of \(campaign.count) found")
    }
}
