import Foundation
import Testing
@testable import Lineage

@Suite struct CampaignLogReaderTests {
    /// What the simulator writes, the reader reads back unchanged, as JSONL and as CSV.
    @Test(arguments: [LogWriter.Format.jsonl, .csv])
    func roundTripsSimulatedRecords(format: LogWriter.Format) throws {
        let folder = try TemporaryFolder()
        var configuration = CampaignFixtures.configuration(requests: 3000, campaignAccounts: 40, seed: 5)
        configuration.hashPrompts = format == .csv
        let (records, _) = CampaignFixtures.simulate(configuration)
        let path = folder.path("log.\(format.rawValue)")
        try CampaignFixtures.write(records, to: path, format: format)
        var read: [LogRecord] = []
        let report = try LogReader().read(path) { read.append($0) }
        #expect(report.format == (format == .csv ? .csv : .jsonl))
        #expect(report.records == records.count && report.badLines == 0)
        #expect(read == records)
    }

    @Test func csvKeepsQuotedCommasQuotesAndLineBreaks() throws {
        let folder = try TemporaryFolder()
        let record = LogRecord(account: "a,b", time: 1_790_812_800.25, prompt: "line one\nline \"two\", three",
                               system: "sys", inputTokens: 3, outputTokens: 9, maxTokens: 100, model: "m",
                               network: "n", payment: nil)
        let path = folder.path("log.csv")
        try CampaignFixtures.write([record, record], to: path, format: .csv)
        var read: [LogRecord] = []
        try LogReader().read(path) { read.append($0) }
        #expect(read == [record, record])
    }

    /// Other providers' field names: api_key, timestamp in seconds, messages, usage.
    @Test func acceptsCommonFieldNames() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("openai.jsonl", """
            {"api_key": "k1", "timestamp": 1790812800, "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}], "usage": {"prompt_tokens": 5, "completion_tokens": 7}, "model": "x"}
            {"user_id": "k2", "created_at": "2026-10-01T00:00:01Z", "prompt_sha256": "abc", "ip": "10.0.0.1"}
            {"account_id": 7, "timestamp": "1790812802000", "messages": [{"role": "user", "content": [{"type": "text", "text": "Part one"}, {"type": "image"}]}]}
            """)
        var read: [LogRecord] = []
        try LogReader().read(path) { read.append($0) }
        #expect(read.count == 3)
        #expect(read[0].account == "k1" && read[0].prompt == "Hi there" && read[0].system == "Be brief.")
        #expect(read[0].inputTokens == 5 && read[0].outputTokens == 7 && read[0].time == 1_790_812_800)
        #expect(read[1].account == "k2" && read[1].promptHash == "abc" && read[1].network == "10.0.0.1" && read[1].model == "unknown")
        #expect(read[2].account == "7" && read[2].prompt == "Part one" && read[2].time == 1_790_812_802)
    }

    /// A bad line names the file, the line and a fix; the summariser then writes nothing.
    @Test func badLinesNameFileLineAndFixAndNothingIsWritten() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("bad.jsonl", """
            {"account": "a", "time": "2026-10-01T00:00:00Z", "prompt": "fine"}
            {"account": "a", "time": "not a time", "prompt": "bad time"}

            {"account": "a", "time": "2026-10-01T00:00:02Z", "prompt": "fine", "input_tokens": -3}
            {"account": "a", "time": "2026-10-01T00:00:03Z"
            """)
        do {
            _ = try ShardSummary.summarise([path], reader: LogReader())
            Issue.record("a bad log was summarised")
        } catch let error as LogReadError {
            #expect(error.description.contains("bad.jsonl:2: field \"time\" is not a time"))
            #expect(error.description.contains("fix:"))
        }
        let tolerant = try ShardSummary.summarise([path], reader: LogReader(maxBadLines: 5))
        #expect(tolerant.0.records == 1)
        #expect(tolerant.1[0].badLines == 3)
        #expect(tolerant.1[0].problems.contains { $0.hasPrefix("\(path):4:") && $0.contains("whole number") })
        #expect(tolerant.1[0].problems.contains { $0.hasPrefix("\(path):5:") && $0.contains("not valid JSON") })
        let csv = try folder.write("bad.csv", "account,prompt\na,hello\n")
        #expect(throws: ImportError.self) { try LogReader().read(csv) { _ in } }
    }
}
