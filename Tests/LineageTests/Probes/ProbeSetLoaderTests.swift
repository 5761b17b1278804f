import Foundation
import Testing
@testable import Lineage

@Suite struct ProbeSetLoaderTests {
    static let valid = """
        id: demo
        version: "1.2"
        description: >
          A set for tests.
        defaults:
          temperature: 0.7
          max_tokens: 64
        categories:
          self-identity: Who made you.
          chat: How it follows turns.
        probes:
          - id: identity-001
            category: self-identity
            prompt: "Who created you?"
            sampling: {temperature: 0, seed: 3}
          - id: chat-002
            category: chat
            system: "You are terse."
            turns:
              - "Name three rivers."
              - "Now sort them by length."
            tags: [lists, multi-turn]
        """

    @Test func readsEveryField() throws {
        let set = try ProbeSetLoader.parse(Self.valid, file: "demo.yaml")
        #expect(set.id == "demo")
        #expect(set.version == "1.2")
        #expect(set.description == "A set for tests.")
        #expect(set.defaults == SamplingParameters(temperature: 0.7, maxTokens: 64))
        #expect(set.categories.map(\.name) == ["self-identity", "chat"])
        #expect(set.probes.count == 2)
        let first = set.probes[0]
        #expect(first.content == ProbeContent(system: nil, turns: ["Who created you?"]))
        #expect(first.sampling == SamplingParameters(temperature: 0, seed: 3))
        let second = set.probes[1]
        #expect(second.content == ProbeContent(system: "You are terse.", turns: ["Name three rivers.", "Now sort them by length."]))
        #expect(second.tags == ["lists", "multi-turn"])
    }

    @Test func hashIgnoresLayoutButNotContent() throws {
        let original = try ProbeSetLoader.parse(Self.valid, file: "a.yaml")
        // Same content: comments, key order, flow vs block style, quoting.
        let relaid = """
            # comment
            version: '1.2'
            id: demo
            description: A set for tests.
            categories: {self-identity: Who made you., chat: How it follows turns.}
            defaults: {max_tokens: 64, temperature: 0.7}
            probes:
              - {prompt: Who created you?, category: self-identity, id: identity-001, sampling: {seed: 3, temperature: 0}}
              - id: chat-002
                tags: [lists, multi-turn]
                turns: [Name three rivers., Now sort them by length.]
                system: You are terse.
                category: chat
            """
        #expect(try ProbeSetLoader.parse(relaid, file: "b.yaml").contentHash == original.contentHash)
        let edited = Self.valid.replacingOccurrences(of: "Who created you?", with: "Who created you ?")
        #expect(try ProbeSetLoader.parse(edited, file: "c.yaml").contentHash != original.contentHash)
        let retuned = Self.valid.replacingOccurrences(of: "seed: 3", with: "seed: 4")
        #expect(try ProbeSetLoader.parse(retuned, file: "d.yaml").contentHash != original.contentHash)
    }

    /// Each bad file must fail with the file, line, probe and field named.
    @Test(arguments: [
        ("prompt: \"Who created you?\"", "promt: \"Who created you?\"", 14, "probe identity-001", "probes[0].promt", "did you mean `prompt`"),
        ("id: chat-002", "id: identity-001", 16, "probe identity-001", "probes[1].id", "duplicate probe id"),
        ("category: chat\n", "category: coding\n", 17, "probe chat-002", "probes[1].category", "not listed under `categories`"),
        ("temperature: 0, seed", "temperature: 3, seed", 15, "probe identity-001", "probes[0].sampling.temperature", "out of range"),
        ("max_tokens: 64", "max_tokens: lots", 7, nil, "defaults.max_tokens", "expected a whole number"),
        ("version: \"1.2\"\n", "", 1, nil, "version", "missing required field"),
        ("    turns:\n", "    prompt: hi\n    turns:\n", 20, "probe chat-002", "probes[1].turns", "both `prompt` and `turns`"),
        ("  chat: How it follows turns.", "  chat:", 10, nil, "categories.chat", "has no purpose"),
        ("tags: [lists, multi-turn]", "tags: lists", 22, "probe chat-002", "probes[1].tags", "expected a list"),
        ("id: demo", "id: Demo Set", 1, nil, "id", "not a valid set id"),
    ] as [(String, String, Int, String?, String, String)])
    func reportsWhereAndWhat(_ original: String, _ replacement: String, _ line: Int, _ item: String?,
                             _ field: String, _ problem: String) throws {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.valid, "the test's replacement must change the file")
        do {
            _ = try ProbeSetLoader.parse(text, file: "bad.yaml")
            Issue.record("accepted a bad file: \(replacement)")
        } catch let error as ProbeSetError {
            #expect(error.file == "bad.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.item == item, "\(error)")
            #expect(error.field == field, "\(error)")
            #expect(error.description.contains(problem), "\(error)")
            #expect(error.description.hasPrefix("bad.yaml:\(line): "))
        }
    }

    @Test func syntaxErrorsNameTheLine() throws {
        let text = Self.valid.replacingOccurrences(of: "    category: chat", with: "    category: [chat")
        let error = #expect(throws: ProbeSetError.self) { try ProbeSetLoader.parse(text, file: "broken.yaml") }
        #expect(error?.line != nil)
        #expect(error?.problem.hasPrefix("not valid YAML") == true)
    }

    @Test func missingFileSaysSo() {
        let error = #expect(throws: ProbeSetError.self) { try ProbeSetLoader.load(path: "/nonexistent/set.yaml") }
        #expect(error?.file == "/nonexistent/set.yaml")
    }

    @Test func smokeSetLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("probes/smoke.yaml").path
        let set = try ProbeSetLoader.load(path: path)
        #expect(set.id == "smoke")
        #expect(set.probes.count >= 8)
        #expect(set.probes.contains { $0.turns.count > 1 })
        #expect(Set(set.probes.map(\.category)).count == set.categories.count)
    }
}
