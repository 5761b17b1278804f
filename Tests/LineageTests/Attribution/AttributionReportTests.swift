import Foundation
import Testing
@testable import Lineage

/// A real attribution study written as a report: its manifest must cover every model the study
/// used (the alternative reference included), so that `verify` finds the store intact.
@Suite struct AttributionReportTests {
    @Test func reportOfARealStudyVerifiesAgainstItsStore() throws {
        let folder = try TemporaryFolder()
        let store = try AttributionTests.store(in: folder, probes: 30, seed: 5)
        let options = AttributionTests.options(suspect: "student", controls: ["control-0", "control-1"], seed: 5)
        let responses = try store.responses(models: options.models)
        let result = try AttributionStudy.run(options: options, responses: responses)
        let used = responses.answeringEveryModel(options.models)
        #expect(Set(used.map(\.model)) == Set(options.models))
        let directory = folder.path("report")
        _ = try ReportWriter.write(.attribution(result), responses: used, store: store, to: directory)
        let verification = try ReportVerifier.verify(reportDirectory: directory, store: store)
        #expect(verification.intact, "changed \(verification.changed.count), removed \(verification.removed.prefix(3)), added \(verification.added.prefix(3))")
    }

    @Test func answeringEveryModelKeepsOnlyCommonProbes() {
        func response(_ model: String, _ probe: Int64) -> StoredResponse {
            StoredResponse(id: probe, model: model, probeID: probe, probeHash: "\(probe)", probe: ProbeContent(turns: ["q"]),
                           sampleIndex: 0, parameters: SamplingParameters(), turns: ["a"], finishReason: nil, contentHash: "\(model)\(probe)")
        }
        let responses = [response("a", 1), response("a", 2), response("b", 2), response("b", 3), response("c", 2)]
        #expect(responses.answeringEveryModel(["a", "b"]).map(\.contentHash) == ["a2", "b2"])
        #expect(responses.answeringEveryModel(["a", "b", "c"]).count == 3)
    }
}
