import Foundation
import Testing
@testable import Lineage

@Suite struct CampaignReportTests {
    /// Account names and prompts from logs are untrusted: the page escapes them, and the JSON
    /// is snake_case and decodes back to the same result.
    @Test func reportEscapesLogDataAndJSONRoundTrips() throws {
        var rng = SeededGenerator(seed: 41)
        var summary = ShardSummary()
        let hostile = "<script>alert(1)</script>"
        for index in 0..<400 {
            let account = index < 300 ? "user-\(index % 150)" : "evil\(hostile)-\(index % 20)"
            let prompt = index < 300 ? SimulatedPrompts.sentence(&rng, words: 20)
                : hostile + " " + SimulatedPrompts.fill(SimulatedPrompts.cotTemplates[0], topics: SimulatedPrompts.topics, &rng)
            summary.add(LogRecord(account: account, time: 1_790_812_800 + Double(index) * 600, prompt: prompt, inputTokens: 50,
                                  outputTokens: index < 300 ? 100 : 2000, maxTokens: 4096, model: "m", network: "net\(hostile)"))
        }
        let result = CampaignDetector().detect(summary, command: "lineage campaigns test")
        #expect(result.flaggedAccounts == 20)
        let html = CampaignHTMLReport.render(result)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("<svg"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(result)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"flagged_accounts\":20") && text.contains("\"example_prompts\""))
        #expect(try JSONDecoder().decode(CampaignResult.self, from: data) == result)
    }
}
