import Foundation
import Testing
@testable import Lineage

@Suite struct StudyFileTests {
    func write(_ text: String) throws -> (TemporaryFolder, String) {
        let folder = try TemporaryFolder()
        return (folder, try folder.write("study.yaml", text))
    }

    @Test func aFullStudyReadsWithPathsFromItsFolderAndItsHash() throws {
        let text = """
            name: release-check
            store: release.sqlite
            probes: ../probes/core.yaml
            collect:
              config: models.yaml
              models: [s, r, c1, c2]
              samples: 2
              temperature: 0.7
            analysis:
              kind: attribution
              suspect: s
              references: [r]
              controls: [c1, c2]
              alpha: 0.01
              seed: 7
            report: out/report
            """
        let (folder, path) = try write(text)
        let study = try StudyFile.load(path: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        #expect(study.name == "release-check" && study.kind == .attribution)
        #expect(study.store == base.appendingPathComponent("release.sqlite").standardizedFileURL.path)
        #expect(study.probes == base.deletingLastPathComponent().appendingPathComponent("probes/core.yaml").standardizedFileURL.path)
        #expect(study.collection?.models == ["s", "r", "c1", "c2"] && study.collection?.samples == 2 && study.collection?.temperature == 0.7)
        #expect(study.suspect == "s" && study.references == ["r"] && study.controls == ["c1", "c2"] && study.alpha == 0.01 && study.seed == 7)
        // The hash is of the file's bytes: independent of the parser.
        #expect(study.sha256 == ContentHash.sha256(Data(text.utf8)))
        _ = folder
    }

    @Test func badFilesNameTheFileTheLineAndTheFix() throws {
        let cases: [(String, Int, String)] = [
            ("name: x\nanalysis:\n  kind: attribution\n  suspect: s\n  refrences: [r]\n", 5, "did you mean `references`"),
            ("name: x\nanalysis:\n  kind: distillation\n", 3, "use one of attribution, equality"),
            ("name: x\ncollect:\n  models: [a]\nanalysis:\n  kind: equality\n  model_a: a\n  model_b: a\n", 2, "add `probes: PATH.yaml`"),
            ("name: x\nanalysis:\n  kind: equality\n  model_a: a\n", 3, "add `model_a: MODEL` and `model_b: MODEL`"),
            ("name: x\nanalysis:\n  kind: attribution\n  suspect: s\n  references: [r]\n  alpha: 2\n", 6, "use a value from"),
        ]
        for (text, line, fix) in cases {
            let (folder, path) = try write(text)
            do {
                _ = try StudyFile.load(path: path)
                Issue.record("accepted: \(text)")
            } catch let error as ProbeSetError {
                #expect(error.file == path, "\(text)")
                #expect(error.line == line, "\(text): line \(String(describing: error.line))")
                #expect(error.description.contains(fix), "\(text): \(error.description)")
            }
            _ = folder
        }
    }
}
