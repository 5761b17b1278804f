import Foundation
import GRDB
import Testing
@testable import Lineage

@Suite struct ImportTests {
    static let questions = """
        {"question_id": 1, "category": "writing", "turns": ["Write a haiku about rain.", "Now make it about snow."]}
        {"question_id": 2, "category": "math", "turns": ["What is 2+2?", "And times 3?"]}
        """
    static let answers = """
        {"question_id": 1, "answer_id": "a", "model_id": "wrong-id", "choices": [{"index": 0, "turns": ["Rain taps the roof", "Snow hushes the roof"]}], "tstamp": 1}
        {"question_id": 2, "answer_id": "b", "model_id": "wrong-id", "choices": [{"index": 0, "turns": ["4", "12"]}, {"index": 1, "turns": ["Four.", "Twelve."]}], "tstamp": 2}
        """

    func fastChatLayout(_ folder: TemporaryFolder) throws -> String {
        try folder.write("bench/question.jsonl", Self.questions)
        return try folder.write("bench/model_answer/model-a.jsonl", Self.answers)
    }

    @Test func fastChatKeepsTurnsAndNamesModelAfterFile() throws {
        let folder = try TemporaryFolder()
        let answers = try fastChatLayout(folder)
        let store = try folder.store()
        let summary = try TranscriptImporter().importFiles([answers], into: store, command: "test")
        #expect(summary.files.first?.format == .fastChat)
        #expect(summary.added == 3 && summary.alreadyStored == 0)
        #expect(summary.models == ["model-a"])
        let stored = try store.responses()
        #expect(stored.count == 3)
        let first = try #require(stored.first { $0.turns.first == "Rain taps the roof" })
        #expect(first.probe.turns == ["Write a haiku about rain.", "Now make it about snow."])
        #expect(first.turns == ["Rain taps the roof", "Snow hushes the roof"])
        #expect(Set(stored.filter { $0.probe.turns.first == "What is 2+2?" }.map(\.sampleIndex)) == [0, 1])
    }

    @Test func secondImportAddsNothing() throws {
        let folder = try TemporaryFolder()
        let answers = try fastChatLayout(folder)
        let store = try folder.store()
        _ = try TranscriptImporter().importFiles([answers], into: store, command: "test")
        let again = try TranscriptImporter().importFiles([answers], into: store, command: "test")
        #expect(again.added == 0 && again.alreadyStored == 3)
        #expect(try store.responses().count == 3)
    }

    @Test func modelOverrideNamesTheModel() throws {
        let folder = try TemporaryFolder()
        let answers = try fastChatLayout(folder)
        let store = try folder.store()
        let importer = TranscriptImporter(reader: TranscriptReader(modelOverride: "renamed"))
        _ = try importer.importFiles([answers], into: store, command: "test")
        #expect(try store.modelNames() == ["renamed"])
    }

    @Test func samePromptFromDifferentFormatsIsOneProbe() throws {
        let folder = try TemporaryFolder()
        try folder.write("legacy/question.jsonl", #"{"question_id": 7, "text": "Name a colour.", "category": "generic"}"# + "\n")
        let legacy = try folder.write("legacy/answer/answer_old-model.jsonl",
                                      #"{"answer_id": "x", "model_id": "old:1", "question_id": 7, "text": "Blue.", "metadata": {}}"#)
        let alpaca = try folder.write("model_outputs.json", """
            [
              {"instruction": "Name a colour.", "output": "Green.", "generator": "alpaca-model", "dataset": "demo"},
              {"instruction": "Name a fruit.", "output": "Apple.", "generator": "alpaca-model", "dataset": "demo"}
            ]
            """)
        let own = try folder.write("own.jsonl", """
            {"model": "own-model", "probe_id": "colour", "prompt": "Name a colour.", "response": "Red.", "params": {"temperature": 0.7}}
            {"model": "own-model", "probe_id": "chat", "system": "Be brief.", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Bye"}], "response": "Goodbye.", "sample_index": 2}
            """)
        let store = try folder.store()
        let summary = try TranscriptImporter().importFiles([legacy, alpaca, own], into: store, command: "test")
        #expect(summary.files.map(\.format) == [.fastChatLegacy, .alpacaEval, .lineage])
        #expect(summary.models == ["alpaca-model", "old-model", "own-model"])
        let stored = try store.responses()
        let colourProbes = Set(stored.filter { $0.probe.turns == ["Name a colour."] }.map(\.probeID))
        #expect(colourProbes.count == 1)
        #expect(stored.filter { $0.probe.turns == ["Name a colour."] }.count == 3)
        let chat = try #require(stored.first { $0.model == "own-model" && $0.sampleIndex == 2 })
        #expect(chat.probe == ProbeContent(system: "Be brief.", turns: ["Hi", "Bye"]))
        #expect(chat.turns == ["Hello.", "Goodbye."])
    }

    @Test func exportReimportKeepsContentHashes() throws {
        let folder = try TemporaryFolder()
        let answers = try fastChatLayout(folder)
        let own = try folder.write("own.jsonl", """
            {"model": "own-model", "probe_id": "p1", "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}, {"role": "user", "content": "Q2"}], "response": "A2", "params": {"temperature": 0.25, "seed": 3, "top_p": 0.9, "max_tokens": 64}, "finish_reason": "length"}
            """)
        let first = try folder.store("first.sqlite")
        _ = try TranscriptImporter().importFiles([answers, own], into: first, command: "test")
        let exported = try folder.write("export.jsonl", try TranscriptExporter().export(from: first))
        let second = try folder.store("second.sqlite")
        let summary = try TranscriptImporter().importFiles([exported], into: second, command: "test")
        #expect(summary.added == 4)
        #expect(Set(try first.responses().map(\.contentHash)) == Set(try second.responses().map(\.contentHash)))
        #expect(try first.responses().map(\.turns) == second.responses().map(\.turns))
        // Truncation survives the round trip (a report counts truncated answers from it).
        #expect(try first.responses().filter { $0.finishReason == "length" }.map(\.model) == ["own-model"])
        #expect(try second.responses().filter { $0.finishReason == "length" }.map(\.model) == ["own-model"])
        #expect(try second.responses().filter { $0.finishReason != nil }.count == 1)
    }

    @Test func answersWithMoreTurnsThanTheQuestionAreKeptAndRoundTrip() throws {
        let folder = try TemporaryFolder()
        try folder.write("bench/question.jsonl", #"{"question_id": "q", "turns": ["Only turn"]}"# + "\n")
        let answers = try folder.write("bench/model_answer/m.jsonl",
            #"{"question_id": "q", "choices": [{"index": 0, "turns": ["first", "second", "third"]}]}"# + "\n")
        let first = try folder.store("first.sqlite")
        let summary = try TranscriptImporter().importFiles([answers], into: first, command: "test")
        #expect(summary.added == 1)
        #expect(summary.warnings.count == 1 && summary.warnings[0].contains("1 answers have more turns"))
        #expect(try first.responses().map(\.turns) == [["first", "second", "third"]])
        let exported = try folder.write("export.jsonl", try TranscriptExporter().export(from: first))
        #expect(try String(contentsOfFile: exported, encoding: .utf8).contains(#""extra_turns":["second","third"]"#))
        let second = try folder.store("second.sqlite")
        _ = try TranscriptImporter().importFiles([exported], into: second, command: "test")
        #expect(try second.responses().map(\.contentHash) == first.responses().map(\.contentHash))
    }

    // MARK: bad input: each names the file and line, and stores nothing

    func expectFailure(_ files: [String], in folder: TemporaryFolder, line: Int?, mentions: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let store = try folder.store()
        let error = #expect(throws: ImportError.self, sourceLocation: sourceLocation) {
            try TranscriptImporter().importFiles(files, into: store, command: "test")
        }
        #expect(error?.line == line, "line in: \(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.description.contains(mentions) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.description.contains("fix:") == true, sourceLocation: sourceLocation)
        #expect(try store.responses().isEmpty, "a failed import writes nothing", sourceLocation: sourceLocation)
        #expect(try store.read { try RunRecord.fetchCount($0) } == 0, sourceLocation: sourceLocation)
    }

    @Test func malformedJSONNamesTheLine() throws {
        let folder = try TemporaryFolder()
        let good = try fastChatLayout(folder)
        let bad = try folder.write("bad.jsonl", """
            {"model": "m", "probe_id": "1", "prompt": "a", "response": "b"}

            {"model": "m", "probe_id": "2", "prompt": "a2", "response": 
            """)
        // The good file is checked first, yet nothing of it is stored.
        try expectFailure([good, bad], in: folder, line: 3, mentions: "bad.jsonl:3: is not valid JSON")
    }

    @Test func missingFieldNamesTheField() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("missing.jsonl", """
            {"model": "m", "probe_id": "1", "prompt": "a", "response": "b"}
            {"model": "m", "probe_id": "2", "prompt": "a"}
            """)
        let store = try folder.store()
        let error = #expect(throws: ImportError.self) {
            try TranscriptImporter(format: .lineage).importFiles([file], into: store, command: "test")
        }
        #expect(error?.line == 2)
        #expect(error?.problem.contains("\"response\"") == true)
        #expect(try store.responses().isEmpty)
    }

    @Test func unknownFormatSaysWhichFormatsExist() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("odd.jsonl", #"{"foo": 1, "bar": 2}"# + "\n")
        try expectFailure([file], in: folder, line: 1, mentions: "no format Lineage knows (fields: bar, foo)")
    }

    @Test func answerWithoutItsQuestion() throws {
        let folder = try TemporaryFolder()
        try folder.write("bench/question.jsonl", Self.questions)
        let file = try folder.write("bench/model_answer/m.jsonl",
            #"{"question_id": 99, "model_id": "m", "choices": [{"index": 0, "turns": ["x"]}]}"# + "\n")
        try expectFailure([file], in: folder, line: 1, mentions: "question_id 99 is not in the question file")
    }

    @Test func missingQuestionFile() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("lonely/m.jsonl",
            #"{"question_id": 1, "model_id": "m", "choices": [{"index": 0, "turns": ["x"]}]}"# + "\n")
        try expectFailure([file], in: folder, line: nil, mentions: "--questions")
    }

    @Test func emptyFile() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("empty.jsonl", "\n  \n")
        try expectFailure([file], in: folder, line: nil, mentions: "empty.jsonl: is empty")
    }

    @Test func notUTF8NamesTheLine() throws {
        let folder = try TemporaryFolder()
        var data = Data(#"{"model": "m", "probe_id": "1", "prompt": "a", "response": "b"}"#.utf8 + [10])
        data += Data(#"{"model": "m", "probe_id": "2", "prompt": "caf"#.utf8) + Data([0xE9]) + Data(#"", "response": "b"}"#.utf8)
        let file = try folder.write("latin1.jsonl", data)
        try expectFailure([file], in: folder, line: 2, mentions: "is not UTF-8")
    }

    @Test func conflictingProbeIDs() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("conflict.jsonl", """
            {"model": "m", "probe_id": "same", "prompt": "first prompt", "response": "x"}
            {"model": "m", "probe_id": "same", "prompt": "second prompt", "response": "y"}
            """)
        try expectFailure([file], in: folder, line: 2, mentions: "another prompt than on line 1")
    }

    @Test func badMessageOrder() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("order.jsonl",
            #"{"model": "m", "probe_id": "1", "messages": [{"role": "assistant", "content": "hi"}], "response": "x"}"# + "\n")
        try expectFailure([file], in: folder, line: 1, mentions: "where \"user\" was expected")
    }

    @Test func alpacaEvalEntryWithoutOutput() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("model_outputs.json", """
            [
              {"instruction": "a", "output": "b", "generator": "g"},
              {"instruction": "c", "generator": "g"}
            ]
            """)
        try expectFailure([file], in: folder, line: 3, mentions: "\"output\"")
    }
}
