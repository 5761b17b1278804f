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

    /// The byte scan that lets most text skip the scalar check never lets an unsafe character through:
    /// random strings over every unsafe character, its neighbours and common non-ASCII text.
    @Test func theByteScanNeverMissesAnUnsafeCharacter() {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        var rng = SeededGenerator(seed: seed)
        let values: [UInt32] = [0x00, 0x09, 0x0A, 0x0D, 0x1B, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0xD7, 0x3B1,
                                0x61B, 0x61C, 0x61D, 0x200B, 0x200D, 0x200E, 0x200F, 0x2010, 0x2013, 0x2027, 0x2028, 0x2029,
                                0x202A, 0x202E, 0x202F, 0x2064, 0x2065, 0x2066, 0x2069, 0x206A, 0x2264, 0x1F600]
        let scalars = values.compactMap(Unicode.Scalar.init)
        for keeping: Set<Unicode.Scalar> in [["\n", "\t"], ["\n"], []] {
            for _ in 0..<2_000 {
                var text = String.UnicodeScalarView()
                for _ in 0..<Int(rng.next() % 6) { text.append(scalars[Int(rng.next() % UInt64(scalars.count))]) }
                let string = String(text)
                let unsafe = string.unicodeScalars.contains { UnsafeCharacters.isUnsafe($0) && !keeping.contains($0) }
                #expect(!unsafe || UnsafeCharacters.mayHoldUnsafe(string, keeping: keeping), "seed \(seed): \(string.unicodeScalars.map { $0.value })")
                #expect(!UnsafeCharacters.visible(string, keeping: keeping).unicodeScalars.contains { UnsafeCharacters.isUnsafe($0) && !keeping.contains($0) })
            }
        }
    }
}
