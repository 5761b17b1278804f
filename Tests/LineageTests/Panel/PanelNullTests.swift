import Foundation
import Testing
@testable import Lineage

/// The bare command's whole pipeline under the null: the panel chosen from annotations, the tests, the
/// panel fit. The suspect is drawn at random among seven human-data models (the others the controls),
/// so it is exchangeable with them and `evidence` must come at most at the rate α.
@Suite struct PanelNullTests {
    static let annotations: [String: ModelAnnotation] = Dictionary(uniqueKeysWithValues: (
        [ModelAnnotation(model: "gpt-a", maker: "OpenAI", trainedOn: .original),
         ModelAnnotation(model: "gpt-b", maker: "OpenAI", trainedOn: .original),
         ModelAnnotation(model: "claude", maker: "Anthropic", trainedOn: .original)]
        + (0..<7).map { ModelAnnotation(model: "human-\($0)", trainedOn: .human) }).map { ($0.model, $0) })

    @Test func innocentSuspectsAreRarelyAccused() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        var generator = SeededGenerator(seed: seed)
        let studies = 20
        var accused = 0
        for _ in 0..<studies {
            let humans = (0..<7).map { "human-\($0)" }.shuffled(using: &generator)
            var styles = ["gpt-a": 0, "gpt-b": 1, "claude": 2]
            for (i, model) in humans.enumerated() { styles[model] = 3 + i }
            let models = Array(styles.keys).sorted()
            let responses = FingerprintDistanceTests.responses(styles: styles, answers: (0..<30).map { _ in models }, turns: 1,
                                                               seed: generator.next())
            let planner = StudyPlanner(annotations: Self.annotations, responses: responses)
            let suspect = humans[0]
            var builder = PanelBuilder()
            builder.controlCount = 4
            let plan = try planner.plan(suspect: suspect, references: ["gpt-a"], builder: builder)
            #expect(!plan.panel.controls.contains(suspect) && plan.panel.references == ["gpt-a", "gpt-b"])
            #expect(plan.panel.alternativeReferences == ["claude"])
            var options = planner.options(for: plan, referenceFamily: nil)
            options.replicates = 199
            options.bootstrap = 199
            options.seed = generator.next()
            let result = try StudyBatch.run([options], responses: responses)[0].planned(plan)
            if result.verdict == .evidence { accused += 1 }
        }
        // α = 0.05 over 20 studies: more than 4 accusations has probability below 0.02 for a valid test.
        #expect(accused <= 4, "seed \(seed): \(accused) of \(studies) innocent suspects accused")
    }
}
