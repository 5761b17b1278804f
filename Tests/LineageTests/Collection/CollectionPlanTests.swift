import Foundation
import Testing
@testable import Lineage

@Suite struct CollectionPlanTests {
    static let set = ProbeSet(
        id: "t", version: "1", description: "d", defaults: SamplingParameters(temperature: 0.7, maxTokens: 100),
        categories: [.init(name: "c", purpose: "p")],
        probes: [Probe(id: "a", category: "c", turns: ["12345678"]),
                 Probe(id: "b", category: "c", system: "abcd", turns: ["1234", "12345678"], sampling: SamplingParameters(temperature: 0)),
                 Probe(id: "c", category: "c", turns: ["x"], sampling: SamplingParameters(seed: 5))])

    @Test func unitsAndParameterPrecedence() {
        let model = ModelConfiguration(name: "m", backend: .openai, sampling: SamplingParameters(temperature: 1.5, topP: 0.9, maxTokens: 10))
        let other = ModelConfiguration(name: "n", backend: .anthropic, price: TokenPrice(inputPerMillion: 1, outputPerMillion: 2))
        let plan = CollectionPlan(probeSet: Self.set, models: [model, other],
                                  options: CollectionOptions(samples: 3, overrides: SamplingParameters(temperature: 0.2, seed: 40)))
        #expect(plan.units.count == 3 * 2 * 3)
        #expect(Set(plan.units.map(\.storeKey)).count == plan.units.count)
        // Sample by sample: every probe's sample 0 before any sample 1.
        #expect(plan.units.prefix(6).allSatisfy { $0.sampleIndex == 0 })
        let a0 = plan.units.first { $0.model == "m" && $0.probe.id == "a" && $0.sampleIndex == 0 }!.parameters
        let a = Self.set.probes[0].content.contentHash, b = Self.set.probes[1].content.contentHash
        #expect(a0 == SamplingParameters(temperature: 0.2, topP: 0.9, maxTokens: 100,
                                         seed: CollectionPlan.requestSeed(40, probe: a, sample: 0)))   // command line over set over model
        let b2 = plan.units.first { $0.model == "m" && $0.probe.id == "b" && $0.sampleIndex == 2 }!.parameters
        #expect(b2.temperature == 0 && b2.seed == CollectionPlan.requestSeed(40, probe: b, sample: 2))   // the probe's own setting wins
        let c1 = plan.units.first { $0.model == "n" && $0.probe.id == "c" && $0.sampleIndex == 1 }!.parameters
        #expect(c1.seed == 6)   // a probe's own seed: offset by the sample index
        // A seed shared by every probe gives each probe and sample its own seed, the same in every plan.
        let seeds = plan.units.filter { $0.model == "m" && $0.probe.id != "c" }.map { $0.parameters.seed! }
        #expect(Set(seeds).count == seeds.count && seeds.allSatisfy { (0..<(1 << 31)).contains($0) })
        let again = CollectionPlan(probeSet: Self.set, models: [model, other],
                                   options: CollectionOptions(samples: 3, overrides: SamplingParameters(temperature: 0.2, seed: 40)))
        #expect(again.units.map(\.parameters) == plan.units.map(\.parameters))
        #expect(CollectionPlan.requestSeed(41, probe: a, sample: 0) != CollectionPlan.requestSeed(40, probe: a, sample: 0))
        #expect(CollectionPlan(probeSet: Self.set, models: [model], options: CollectionOptions(probeIDs: ["b"])).units.map(\.probe.id) == ["b"])
    }

    @Test func estimateByHand() {
        let model = ModelConfiguration(name: "m", backend: .openai, price: TokenPrice(inputPerMillion: 1_000_000, outputPerMillion: 2_000_000))
        let plan = CollectionPlan(probeSet: Self.set, models: [model], options: CollectionOptions(samples: 2))
        let estimate = plan.estimate(plan.units)[0]
        #expect(estimate.units == 6 && estimate.requests == 8)
        // a: 8/4 + 8 = 10. b: system 1; turn 1: 1 + 1 + 8 = 10; turn 2: 10 + 100 + 2 + 8 = 120. c: 0 + 8 = 8.
        #expect(estimate.promptTokens == 2 * (10 + 10 + 120 + 8))
        #expect(estimate.completionTokens == 2 * 4 * 100)
        #expect(estimate.costUSD == Double(estimate.promptTokens) * 1 + Double(estimate.completionTokens) * 2)
    }

    @Test func pendingSkipsOnlySuccessfulUnits() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let model = ModelConfiguration(name: "m", backend: .openai, endpoint: "http://127.0.0.1:9/v1")
        let plan = CollectionPlan(probeSet: Self.set, models: [model], options: CollectionOptions(samples: 2))
        #expect(try plan.pending(in: store).count == 6)
        let done = plan.units[0], failed = plan.units[1]
        try store.write { db in
            let modelID = try ResponseStore.model(named: "m", backend: "openai", in: db).id!
            var run = RunRecord(kind: .collect, command: "t")
            try run.insert(db)
            for (unit, failure) in [(done, nil), (failed, "HTTP 500")] as [(WorkUnit, String?)] {
                let probeID = try ResponseStore.probe(unit.probe.content, in: db).id!
                var outcome = ConversationOutcome()
                outcome.turns = failure == nil ? ["answer"] : []
                var record = CollectionRunner.record(unit, outcome: outcome, failure: failure, modelID: modelID,
                                                     probeID: probeID, runID: run.id!)
                try record.insert(db)
            }
        }
        let pending = try plan.pending(in: store)
        #expect(pending.count == 5)
        #expect(!pending.contains(done) && pending.contains(failed))
    }
}

@Suite struct ModelConfigurationTests {
    @Test func fileAndSpecAgree() throws {
        let models = try ModelConfigurationLoader.parse("""
            models:
              - name: qwen
                endpoint: http://127.0.0.1:18082/v1
                model: qwen-coder
                sampling: {temperature: 0.3}
                concurrency: 3
                requests_per_minute: 30
                tokens_per_minute: 9000
                timeout: 60
                max_attempts: 4
                price: {input: 0.5, output: 1.5}
                extra_body: {cache_prompt: false, n_probs: 2}
              - name: claude
                backend: anthropic
                api_key_env: MY_CLAUDE_KEY
            """, file: "models.yaml")
        #expect(models.count == 2)
        let qwen = models[0]
        #expect(qwen == ModelConfiguration(name: "qwen", backend: .openai, endpoint: "http://127.0.0.1:18082/v1",
                                           providerModelID: "qwen-coder", sampling: SamplingParameters(temperature: 0.3),
                                           concurrency: 3, requestsPerMinute: 30, tokensPerMinute: 9000, timeoutSeconds: 60,
                                           maxAttempts: 4, price: TokenPrice(inputPerMillion: 0.5, outputPerMillion: 1.5),
                                           extraBody: ["cache_prompt": .bool(false), "n_probs": .number(2)]))
        #expect(models[1].endpoint == BackendKind.anthropic.defaultEndpoint && models[1].keyVariable == "MY_CLAUDE_KEY")
        let spec = try ModelConfigurationLoader.parse(
            spec: "name=qwen,endpoint=http://127.0.0.1:18082/v1,model=qwen-coder,concurrency=3,requests_per_minute=30,tokens_per_minute=9000,timeout=60,max_attempts=4")
        var expected = qwen
        expected.sampling = SamplingParameters()
        expected.price = nil
        expected.extraBody = [:]
        #expect(spec == expected)
    }

    @Test(arguments: [
        ("models:\n  - name: a\n    backend: openia\n", "unknown backend `openia`", 3),
        ("models:\n  - name: a\n    endpont: http://x\n", "did you mean `endpoint`", 3),
        ("models:\n  - name: a\n    endpoint: ftp://x\n", "not an http(s) URL", 3),
        ("models:\n  - name: a\n  - name: a\n", "duplicate model name", 3),
        ("models:\n  - backend: openai\n", "missing required field `name`", 2),
        ("models:\n  - name: a\n    concurrency: 0\n", "out of range", 3),
    ])
    func badConfigurations(_ text: String, _ problem: String, _ line: Int) {
        let error = #expect(throws: ProbeSetError.self) { try ModelConfigurationLoader.parse(text, file: "models.yaml") }
        #expect(error?.description.contains(problem) == true, "\(String(describing: error))")
        #expect(error?.line == line, "\(String(describing: error))")
    }
}
