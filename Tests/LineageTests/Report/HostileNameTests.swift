import Foundation
import Testing
@testable import Lineage

/// Names that would show as something else, or run as markup, in a terminal or a report.
@Suite struct HostileNameTests {
    static let hostile: [(field: String, value: String, shown: String)] = [
        ("model", "ctl4 \u{202E}gpj.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("model", "x\u{1B}]0;owned\u{07}", "U+001B"),
        ("probe_id", "p\n~~~", "U+000A"),
        ("probe_id", "id\u{2066}", "U+2066"),
    ]

    @Test func importRefusesControlAndBidiCharactersInNamesAndIds() throws {
        for (field, value, shown) in Self.hostile {
            let folder = try TemporaryFolder()
            var object: [String: Any] = ["model": "m", "probe_id": "p1", "prompt": "a", "response": "b"]
            object[field] = value
            let line = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            let file = try folder.write("hostile.jsonl", ImportGapTests.good + "\n" + line + "\n")
            let store = try folder.store()
            let error = #expect(throws: ImportError.self) { try TranscriptImporter().importFiles([file], into: store, command: "test") }
            #expect(error?.line == 2 && error?.file == file)
            #expect(error?.problem.contains(shown) == true, "\(String(describing: error))")
            #expect(error?.fix?.isEmpty == false)
            // The message itself shows the name harmlessly.
            #expect(error.map { UnsafeCharacters.first(in: $0.problem) == nil } == true)
            #expect(try store.responses().isEmpty)
        }
    }

    @Test func aConfiguredModelNameWithABidiOverrideIsRefused() {
        #expect(throws: ProbeSetError.self) {
            try ModelConfigurationLoader.parse(spec: "name=ctl4 \u{202E}gpj.exe,backend=openai,endpoint=http://127.0.0.1:1/v1")
        }
    }

    @Test func markdownTurnsNoNameIntoAnImageALinkOrAFence() {
        for name in ["![t](http://127.0.0.1:9/track.png)", "[x](https://evil.test)", "see www.evil.test or a@evil.test",
                     "n\n~~~\nswallowed", "n\r\n```\nswallowed", "*bold* _it_ `code` <img src=x> | cell"] {
            let inline = Escape.markdownInline(name)
            #expect(!inline.contains("\n") && !inline.contains("\r"), "\(inline)")
            #expect(!inline.contains("://") && !inline.contains("www.") && !inline.contains("<img"), "\(inline)")
            // Every Markdown punctuation character is behind a backslash.
            let characters = Array(inline)
            for (index, character) in characters.enumerated() where "[]`*_|~@".contains(character) {
                #expect(index > 0 && characters[index - 1] == "\\", "unescaped \(character) in \(inline)")
            }
            #expect(Escape.markdownCell(name) == inline)
        }
    }

    @Test func reportsShowControlAndBidiCharactersAsEscapes() throws {
        let study = try FakeStudy()
        let hostile = "ctl4 \u{202E}gpj.exe\u{1B}[2J\n~~~"
        let renamed = study.responses.map { response -> StoredResponse in
            var copy = response
            if copy.model == "fake-suspect" { copy.model = hostile; copy.turns = copy.turns.map { $0 + " \u{202E}txt.exe \u{1B}]0;t\u{07}" } }
            return copy
        }
        var equality = study.equality
        equality.modelA = hostile
        equality.samples = [hostile: 6, "fake-reference": 6]
        let (subject, manifest) = try ReportWriter.prepare(.equality(equality), responses: renamed, store: nil)
        for (name, text) in [("md", MarkdownReport.render(subject, manifest: manifest)), ("html", HTMLReport.render(subject, manifest: manifest))] {
            #expect(!text.unicodeScalars.contains { UnsafeCharacters.isUnsafe($0) && !["\n", "\t"].contains($0) }, "\(name)")
            #expect(text.contains("\\u202E"), "\(name) shows the override as an escape")
            if name == "md" {
                #expect(!text.components(separatedBy: "\n").contains { $0.hasPrefix("~~~") }, "a name opened a fence")
            }
        }
    }

    @Test func terminalAndCSVOutputIsInert() {
        let title = "x\u{1B}]0;pwned\u{07}\u{1B}[2J\r\u{202E}y"
        let shown = Escape.terminal(title)
        #expect(!shown.unicodeScalars.contains { UnsafeCharacters.isUnsafe($0) })
        #expect(shown == "x\\u001B]0;pwned\\u0007\\u001B[2J\\u000D\\u202Ey")
        #expect(Escape.terminal("two\nlines\tand a tab") == "two\nlines\tand a tab")
        #expect(Escape.csvField("=HYPERLINK(\"http://evil\")") == "\"'=HYPERLINK(\"\"http://evil\"\")\"")
        #expect(Escape.csvField("-1+2") == "'-1+2")
        #expect(Escape.csvField("a,b") == "\"a,b\"" && Escape.csvField("line\nbreak") == "\"line\nbreak\"")
        #expect(Escape.csvField("plain-name") == "plain-name")
    }
}
