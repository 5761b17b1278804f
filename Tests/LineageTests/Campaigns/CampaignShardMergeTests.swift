import Foundation
import Testing
@testable import Lineage

@Suite struct CampaignShardMergeTests {
    /// The shard path: split a log by line, summarise each shard to a file, merge the files;
    /// the result is byte for byte the single pass's file.
    @Test func shardsByLineMergeToTheSinglePassBytes() throws {
        let folder = try TemporaryFolder()
        let (records, _) = CampaignFixtures.simulate(CampaignFixtures.configuration(requests: 12_000, campaignAccounts: 120, seed: 21))
        let whole = folder.path("log.jsonl")
        try CampaignFixtures.write(records, to: whole)
        let (single, _) = try ShardSummary.summarise([whole], reader: LogReader())
        try single.write(to: folder.path("single.summary"))

        let lines = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let cuts = [0, 2500, 2501, 7000, lines.count]
        var shardFiles: [String] = []
        for (index, (from, to)) in zip(cuts, cuts.dropFirst()).enumerated() {
            let shard = try folder.write("shard-\(index).jsonl", lines[from..<to].joined(separator: "\n"))
            let (summary, _) = try ShardSummary.summarise([shard], reader: LogReader())
            let file = folder.path("shard-\(index).summary")
            try summary.write(to: file)
            shardFiles.append(file)
        }
        var merged = ShardSummary()
        for file in shardFiles.reversed() { merged.merge(try ShardSummary.read(file)) }
        try merged.write(to: folder.path("merged.summary"))
        let expected = try Data(contentsOf: URL(fileURLWithPath: folder.path("single.summary")))
        let actual = try Data(contentsOf: URL(fileURLWithPath: folder.path("merged.summary")))
        #expect(actual == expected)
        #expect(try ShardSummary.read(folder.path("single.summary")) == single)
    }

    /// Any partition of the records (not only contiguous runs), merged in any grouping and
    /// order, equals the summary of all of them (seed recorded).
    @Test func mergeIsAssociativeAndCommutativeOverRandomPartitions() {
        let (records, _) = CampaignFixtures.simulate(CampaignFixtures.configuration(requests: 6000, campaignAccounts: 60, seed: 23))
        var whole = ShardSummary()
        for record in records { whole.add(record) }
        var rng = SeededGenerator(seed: 2323)
        for _ in 0..<3 {
            var parts = [ShardSummary](repeating: ShardSummary(), count: 5)
            for record in records { parts[Int(rng.next() % 5)].add(record) }
            var leftFold = ShardSummary()
            for part in parts { leftFold.merge(part) }
            var pairs = parts[4]
            var inner = parts[2]
            inner.merge(parts[0])
            pairs.merge(inner)
            var rest = parts[3]
            rest.merge(parts[1])
            pairs.merge(rest)
            #expect(leftFold == whole)
            #expect(pairs == whole)
        }
    }
}
