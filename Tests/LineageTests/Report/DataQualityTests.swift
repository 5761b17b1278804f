import Foundation
import Testing
@testable import Lineage

/// Answers without a finish reason are of unknown truncation, never "nothing truncated".
@Suite struct DataQualityTests {
    func quality(_ subject: ReportSubject) -> DataQuality? {
        if case .equality(let result) = subject { return result.dataQuality }
        return nil
    }

    @Test func answersWithoutAFinishReasonReadAsUnknown() throws {
        let study = try FakeStudy()
        // The fake transcripts carry no finish_reason, like the shipped demo sample.
        #expect(study.responses.allSatisfy { $0.finishReason == nil })
        let (subject, manifest) = try ReportWriter.prepare(.equality(study.equality), responses: study.responses, store: nil)
        let counts = try #require(quality(subject)?.models["fake-suspect"])
        #expect(counts.truncated == 0 && counts.finishUnknown == 6)
        #expect(quality(subject)?.notes.contains { $0.hasPrefix("fake-suspect: 6 of 6 answers carry no finish reason") } == true)
        let html = HTMLReport.render(subject, manifest: manifest)
        #expect(!html.contains("nothing to warn about"))
        #expect(html.contains("whether they were cut off at the token limit is unknown"))
        #expect(MarkdownReport.render(subject, manifest: manifest).contains("whether they were cut off at the token limit is unknown"))
    }

    @Test func knownFinishReasonsCountTruncationAndNothingElse() throws {
        let study = try FakeStudy()
        let responses = study.responses.enumerated().map { index, response in
            var response = response
            response.finishReason = index == 0 ? "length" : "stop"
            return response
        }
        let (subject, manifest) = try ReportWriter.prepare(.equality(study.equality), responses: responses, store: nil)
        let models = try #require(quality(subject)?.models)
        #expect(models.values.map(\.truncated).reduce(0, +) == 1)
        #expect(models.values.allSatisfy { $0.finishUnknown == 0 })
        #expect(quality(subject)?.notes.contains { $0.contains("no finish reason") } == false)
        // An old result that never counted it decodes, and says so instead of claiming zero.
        let old = #"{"responses": 3, "failed": 0, "empty": 0, "truncated": 0}"#
        let decoded = try LineageJSON.decoder.decode(DataQuality.ModelCounts.self, from: Data(old.utf8))
        #expect(decoded.finishUnknown == nil)
        _ = manifest
    }
}
