import Foundation
import Testing
@testable import Lineage

@Suite struct ModelLabelsTests {
    @Test func lineageDevGroupsBecomeAnnotations() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("lineage.json", """
            {"datasets": {"a": {"models": [
              {"model": "gpt-4", "group": "teacher_openai", "evidence": "OpenAI API"},
              {"model": "claude-v1", "group": "frontier_anthropic"},
              {"model": "vicuna", "group": "student_openai", "teacher": "ChatGPT"},
              {"model": "nemo", "group": "student_mistral"},
              {"model": "athene", "group": "derived_meta"},
              {"model": "dolly", "group": "control_human", "upstream": {"repo": "r", "path": "p"}},
              {"model": "llama", "group": "control_base"},
              {"model": "snorkel", "group": "control_self"},
              {"model": "koala", "group": "mixed"},
              {"model": "lima", "group": "unknown_provenance"}]}}}
            """)
        let byModel = Dictionary(uniqueKeysWithValues: try ModelLabels.read(path: path).map { ($0.model, $0) })
        #expect(byModel["gpt-4"] == ModelAnnotation(model: "gpt-4", maker: "OpenAI", trainedOn: .original, source: "OpenAI API",
                                                    note: "lineage-dev group teacher_openai"))
        #expect(byModel["vicuna"]?.trainedOn == .distilled && byModel["vicuna"]?.teacher == "OpenAI")
        #expect(byModel["nemo"]?.teacher == "Mistral")
        #expect(byModel["athene"]?.trainedOn == .derived && byModel["athene"]?.teacher == "Meta")
        #expect(byModel["dolly"]?.trainedOn == .human && byModel["dolly"]?.source == "r:p")
        #expect(byModel["llama"]?.trainedOn == .base)
        #expect(byModel["snorkel"]?.trainedOn == .selfTuned)
        #expect(byModel["koala"]?.trainedOn == .mixed)
        #expect(byModel["lima"]?.trainedOn == .undisclosed)
    }

    @Test func jsonLinesErrorsNameTheLine() throws {
        let folder = try TemporaryFolder()
        let good = #"{"model": "dolly", "maker": "Databricks", "trained_on": "human", "source": "https://example.org"}"#
        let path = try folder.write("labels.jsonl", good + "\n\n" + #"{"model": "x", "trained_on": "distilled"}"# + "\n")
        do {
            _ = try ModelLabels.read(path: path)
            Issue.record("a distilled model without a teacher was accepted")
        } catch let error as ImportError {
            #expect(error.description.contains("labels.jsonl:3:") && error.description.contains("teacher"))
        }
        let ok = try folder.write("ok.jsonl", good + "\n")
        #expect(try ModelLabels.read(path: ok) == [ModelAnnotation(model: "dolly", maker: "Databricks", trainedOn: .human, source: "https://example.org")])
        let unknown = try folder.write("bad.jsonl", #"{"model": "x", "trained_on": "vibes"}"#)
        #expect(throws: ImportError.self) { try ModelLabels.read(path: unknown) }
    }

    @Test func annotationsRoundTripThroughTheStore() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let a = ModelAnnotation(model: "m", maker: "Meta", trainedOn: .derived, teacher: "Meta", source: "card", note: "n")
        try store.annotate([a])
        #expect(try store.annotations() == ["m": a])
        var b = a
        b.trainedOn = .human
        try store.annotate([b])
        #expect(try store.annotations() == ["m": b])
    }
}

@Suite struct ControlEligibilityTests {
    @Test func eligibilityFollowsTheTrainingData() {
        func a(_ t: ModelAnnotation.TrainingData, maker: String? = nil, teacher: String? = nil) -> ModelAnnotation {
            ModelAnnotation(model: "x", maker: maker, trainedOn: t, teacher: teacher)
        }
        #expect(a(.human).isControl(forReferenceMaker: "OpenAI"))
        #expect(a(.base).isControl(forReferenceMaker: "OpenAI"))
        #expect(a(.selfTuned).isControl(forReferenceMaker: "OpenAI"))
        #expect(a(.original, maker: "Anthropic").isControl(forReferenceMaker: "OpenAI"))
        #expect(!a(.original, maker: "OpenAI").isControl(forReferenceMaker: "openai"))
        #expect(!a(.original).isControl(forReferenceMaker: "OpenAI"))
        #expect(a(.distilled, teacher: "Mistral").isControl(forReferenceMaker: "OpenAI"))
        #expect(!a(.distilled, teacher: "OpenAI").isControl(forReferenceMaker: "OpenAI"))
        #expect(!a(.derived, teacher: "Meta").isControl(forReferenceMaker: "Meta"))
        #expect(!a(.mixed).isControl(forReferenceMaker: "OpenAI"))
        #expect(!a(.undisclosed).isControl(forReferenceMaker: "OpenAI"))
    }
}

@Suite struct ModelKindTests {
    static func response(_ model: String, probe: Int, _ text: String) -> StoredResponse {
        let content = ProbeContent(turns: ["prompt \(probe)"])
        return StoredResponse(id: Int64(probe * 100 + model.count), model: model, probeID: Int64(probe), probeHash: content.contentHash,
                              probe: content, sampleIndex: 0, parameters: SamplingParameters(), turns: [text], finishReason: nil,
                              contentHash: "\(model)-\(probe)")
    }

    /// Length, format and consensus against a hand computation.
    @Test func measuresMatchAHandComputation() throws {
        let responses = [
            Self.response("a", probe: 1, "red red blue"),
            Self.response("b", probe: 1, "red blue"),
            Self.response("c", probe: 1, "- green\n- red\nplain line"),
        ]
        let kinds = Dictionary(uniqueKeysWithValues: ModelKindProfiler.profile(responses, models: ["a", "b", "c"], consensusModels: ["a", "b", "c"])
            .map { ($0.model, $0) })
        let a = try #require(kinds["a"]), c = try #require(kinds["c"])
        #expect(abs(a.logLength - log1p(3)) < 1e-12)
        #expect(abs(c.logLength - log1p(4)) < 1e-12)
        #expect(a.format == 0 && abs(c.format - 2.0 / 3.0) < 1e-12)
        // a = (red 2, blue 1); its leave-one-out centroid is b/|b| + c/|c|, with b = (red 1, blue 1).
        let b = [1.0, 1.0].map { $0 / 2.0.squareRoot() }            // red, blue
        // c's words: "green", "red", "plain", "line" once each: |c| = 2.
        let centroid: [String: Double] = ["red": b[0] + 0.5, "blue": b[1], "green": 0.5, "plain": 0.5, "line": 0.5]
        let norm = centroid.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let expected = (2 * centroid["red"]! + 1 * centroid["blue"]!) / (5.0.squareRoot() * norm)
        #expect(abs(a.consensus - expected) < 1e-12)
    }

    /// The byte-wise split of ASCII text gives the words the Character-wise split gives (seed 11).
    @Test func asciiWordsMatchTheUnicodeSplit() {
        var generator = SeededGenerator(seed: 11)
        let alphabet = Array("abcXYZ019 ,.-_\n\r\t'\"#*|()éß日🙂")
        for round in 0..<400 {
            let ascii = round % 2 == 0
            let pool = ascii ? alphabet.filter(\.isASCII) : alphabet
            let text = String((0..<Int(generator.next() % 60)).map { _ in pool[Int(generator.next() % UInt64(pool.count))] })
            let expected = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            #expect(ModelKindProfiler.words(of: text) == expected, "\(text.debugDescription)")
        }
    }

    /// The byte path (words interned as byte ranges) gives the `String` path's profile bit for bit:
    /// random answers with shared prefixes ("a", "ab", "b"), case, digits, punctuation, structured
    /// lines, empty answers, and some probes with non-ASCII answers (which take the `String` path).
    @Test func bytePathGivesTheStringPathsProfileBitForBit() {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        let pieces = ["a", "ab", "abc", "b", "B", "Ab", "x1", "1x", "42", "the", "The", "THE", "theory", "zz", "z",
                      "don't", "e-mail", "self-test", ",", ".", "!", "?", "\n- ", "\n1. ", "\n# ", "\n```\n", "\n", "  ", "\t"]
        let models = (0..<9).map { "m\($0)" }
        var responses: [StoredResponse] = []
        var id: Int64 = 0
        for probe in 0..<40 {
            let content = ProbeContent(turns: ["q\(probe)"])
            for model in models where Int.random(in: 0..<10, using: &generator) > 0 {
                let length = Int.random(in: 0...(probe % 5 == 0 ? 3 : 120), using: &generator)
                var text = (0..<length).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &generator)] }.joined(separator: " ")
                if probe % 7 == 3 && model == "m4" { text += " café naïve" }
                id += 1
                responses.append(StoredResponse(id: id, model: model, probeID: Int64(probe), probeHash: content.contentHash, probe: content,
                                                sampleIndex: 0, parameters: SamplingParameters(), turns: [text], finishReason: nil,
                                                contentHash: "\(id)"))
            }
        }
        let consensus = Array(models.prefix(6))
        let bytes = ModelKindProfiler.profile(responses, models: models, consensusModels: consensus, bytePath: true)
        let strings = ModelKindProfiler.profile(responses, models: models, consensusModels: consensus, bytePath: false)
        #expect(bytes == strings, "seed \(seed)")
        #expect(bytes.count == models.count && bytes.contains { $0.consensus > 0 }, "seed \(seed)")
        #expect(ModelKindProfiler.profile([], models: models, consensusModels: consensus).isEmpty)
    }

    @Test func byteLinesMatchTheCharacterSplit() {
        var generator = SeededGenerator(seed: 12)
        let alphabet = Array("ab1 23\t\n\n-*#|`.) x\r•é")
        for round in 0..<2_000 {
            let pool = round % 3 == 0 ? alphabet : alphabet.filter { $0.isASCII && $0 != "\r" }
            let text = String((0..<Int(generator.next() % 50)).map { _ in pool[Int(generator.next() % UInt64(pool.count))] })
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            let expected = (lines.count, lines.filter(ModelKindProfiler.isStructured).count)
            let got = ModelKindProfiler.structuredLines(text)
            #expect(got.lines == expected.0 && got.structured == expected.1, "\(text.debugDescription)")
        }
        for line in ["```swift", "  # h", "- a", "* b", "12. x", "123) y", "1234. z", "-a", "•  c", "`` x", "|a|", "\t3. q"] {
            let isStructured: Bool = ModelKindProfiler.isStructured(Substring(line))
            #expect(ModelKindProfiler.structuredLines(line).structured == (isStructured ? 1 : 0), "\(line)")
        }
    }

    /// The same answers in another order give the same profile bit for bit (verify --recompute needs it).
    @Test func profilesDoNotDependOnOrder() throws {
        var generator = SeededGenerator(seed: 5)
        let responses = FingerprintDistanceTests.corpus(seed: 3)
        let models = ["a", "b", "c", "d", "e", "f"]
        let first = ModelKindProfiler.profile(responses, models: models, consensusModels: models)
        for _ in 0..<3 {
            #expect(ModelKindProfiler.profile(responses.shuffled(using: &generator), models: models, consensusModels: models.shuffled(using: &generator)) == first)
        }
        // Profiling on some probes reads exactly the answers to those probes.
        let someProbes = Set(responses.map(\.probeID).filter { $0 % 3 != 0 })
        #expect(ModelKindProfiler.profile(responses, models: models, consensusModels: models, onProbes: someProbes)
                == ModelKindProfiler.profile(responses.filter { someProbes.contains($0.probeID) }, models: models, consensusModels: models))
        #expect(ModelKindProfiler.profile(responses, models: models, consensusModels: models, onProbes: someProbes) != first)
        let kinds = Dictionary(uniqueKeysWithValues: first.map { ($0.model, $0) })
        let fit = PanelFit.assess(suspect: kinds["a"]!, controls: [kinds["b"]!, kinds["c"]!], scale: first)
        #expect(PanelFit.assess(suspect: kinds["a"]!, controls: [kinds["b"]!, kinds["c"]!], scale: first.reversed()) == fit)
    }

    @Test func panelFitCapsTheVerdictWhenTheSuspectLiesOutside() throws {
        func kind(_ m: String, _ l: Double, _ f: Double, _ c: Double) -> ModelKind {
            ModelKind(model: m, logLength: l, format: f, consensus: c, probes: 10)
        }
        let controls = [kind("c1", 4, 0.1, 0.3), kind("c2", 5, 0.3, 0.5)]
        let inside = PanelFit.assess(suspect: kind("s", 4.5, 0.2, 0.4), controls: controls, scale: [])
        #expect(inside.brackets)
        let outside = PanelFit.assess(suspect: kind("s", 7, 0.2, 0.4), controls: controls, scale: [])
        #expect(!outside.brackets && outside.explanation.contains("answer length") && outside.explanation.contains("above"))
        let study = try FakeStudy().attribution
        #expect(study.verdict != .inconclusive)
        let capped = study.applying(outside)
        #expect(capped.verdict == (study.verdict == .evidence ? .evidence : .inconclusive))
        var weakControls = outside
        weakControls.evidenceSafe = false
        #expect(study.applying(weakControls).verdict == .inconclusive && study.applying(weakControls).verdictExplanation.contains("do not bracket"))
        #expect(study.applying(inside).verdict == study.verdict)
        // no-evidence needs a bracketing panel on every measure; evidence only on capability.
        var cleared = study
        cleared.verdict = .noEvidence
        #expect(cleared.applying(outside).verdict == .inconclusive)
        #expect(cleared.applying(inside).verdict == .noEvidence)
        var found = study
        found.verdict = .evidence
        #expect(found.applying(outside).verdict == .evidence)
        // A suspect less capable than every control: evidence stands by default, not with both sides.
        let weaker = kind("s", 4.5, 0.2, 0.1)
        let below = PanelFit.assess(suspect: weaker, controls: controls, scale: [])
        #expect(!below.brackets && below.evidenceSafe && found.applying(below).verdict == .evidence)
        #expect(found.applying(below).verdictExplanation.contains("less capable than every control"))
        let bothSides = PanelFit.assess(suspect: weaker, controls: controls, scale: [], capabilityBothSides: true)
        #expect(!bothSides.evidenceSafe && found.applying(bothSides).verdict == .inconclusive)
        let stronger = PanelFit.assess(suspect: kind("s", 4.5, 0.2, 0.9), controls: controls, scale: [], capabilityBothSides: true)
        #expect(!stronger.evidenceSafe && found.applying(stronger).verdict == .inconclusive)
        #expect(PanelFit.assess(suspect: kind("s", 7, 0.2, 0.4), controls: controls, scale: [], capabilityBothSides: true).evidenceSafe,
                "length outside, capability inside: evidence stands with both sides too")
    }

    /// Run 15: evidence that the self-identity test carries on its own stands on a panel that does not
    /// bracket the suspect (kind does not explain naming R's maker as one's own); evidence from
    /// similarity alone is still capped, and so is no-evidence.
    @Test func selfIdentityEvidenceSurvivesThePanelFitOnlyWhenAsked() throws {
        func kind(_ m: String, _ l: Double, _ f: Double, _ c: Double) -> ModelKind {
            ModelKind(model: m, logLength: l, format: f, consensus: c, probes: 10)
        }
        let controls = [kind("c1", 4, 0.1, 0.3), kind("c2", 5, 0.3, 0.5)]
        let weaker = PanelFit.assess(suspect: kind("s", 4.5, 0.2, 0.1), controls: controls, scale: [], capabilityBothSides: true)
        #expect(!weaker.brackets && !weaker.evidenceSafe)
        var found = try FakeStudy().attribution
        found.verdict = .evidence
        var identity = found.tests[0]
        identity.name = "self-identity claims"
        identity.alternative = "s claims to be FAKE on more probes than every control does"
        identity.usedInVerdict = true
        identity.adjustedPValue = found.alpha / 10
        var similarityOnly = found
        similarityOnly.tests = found.tests.filter { !$0.name.hasPrefix("self-identity claims") }
        var withIdentity = similarityOnly
        withIdentity.tests.append(identity)
        #expect(withIdentity.applying(weaker).verdict == .inconclusive, "off by default")
        let kept = withIdentity.applying(weaker, identityDespiteFit: true)
        #expect(kept.verdict == .evidence)
        #expect(kept.verdictExplanation.contains("self-identity test alone is significant") && kept.verdictExplanation.contains(identity.alternative))
        #expect(kept.warnings.contains { $0.contains("rests on the self-identity claims") })
        #expect(similarityOnly.applying(weaker, identityDespiteFit: true).verdict == .inconclusive)
        var notSignificant = withIdentity
        notSignificant.tests[notSignificant.tests.count - 1].adjustedPValue = found.alpha * 2
        #expect(notSignificant.applying(weaker, identityDespiteFit: true).verdict == .inconclusive)
        var contextOnly = withIdentity
        contextOnly.tests[contextOnly.tests.count - 1].usedInVerdict = false
        #expect(contextOnly.applying(weaker, identityDespiteFit: true).verdict == .inconclusive)
        var cleared = withIdentity
        cleared.verdict = .noEvidence
        #expect(cleared.applying(weaker, identityDespiteFit: true).verdict == .inconclusive)
    }
}

@Suite struct PanelBuilderTests {
    static let annotations: [String: ModelAnnotation] = Dictionary(uniqueKeysWithValues: [
        ModelAnnotation(model: "gpt-a", maker: "OpenAI", trainedOn: .original),
        ModelAnnotation(model: "gpt-b", maker: "OpenAI", trainedOn: .original),
        ModelAnnotation(model: "claude-short", maker: "Anthropic", trainedOn: .original),
        ModelAnnotation(model: "claude-long", maker: "Anthropic", trainedOn: .original),
        ModelAnnotation(model: "gemini", maker: "Google", trainedOn: .original),
        ModelAnnotation(model: "human-1", trainedOn: .human),
        ModelAnnotation(model: "human-2", trainedOn: .human),
        ModelAnnotation(model: "human-long", trainedOn: .human),
        ModelAnnotation(model: "base", trainedOn: .base),
        ModelAnnotation(model: "gpt-student", trainedOn: .distilled, teacher: "OpenAI"),
        ModelAnnotation(model: "claude-student", trainedOn: .distilled, teacher: "Anthropic"),
        ModelAnnotation(model: "mystery", trainedOn: .undisclosed),
    ].map { ($0.model, $0) })

    static func kinds() -> [String: ModelKind] {
        let lengths: [String: Double] = ["suspect": 5, "gpt-a": 6, "gpt-b": 6.2, "claude-short": 5.1, "claude-long": 7, "gemini": 6.5,
                                         "human-1": 4.6, "human-2": 5.4, "human-long": 6.9, "base": 3, "gpt-student": 5,
                                         "claude-student": 5, "mystery": 5]
        return lengths.mapValues { _ in ModelKind(model: "", logLength: 0, format: 0.2, consensus: 0.4, probes: 10) }
            .reduce(into: [:]) { out, entry in
                out[entry.key] = ModelKind(model: entry.key, logLength: lengths[entry.key]!, format: 0.2, consensus: 0.4, probes: 10)
            }
    }

    @Test func bareQuestionGetsTheExpertPanel() throws {
        var builder = PanelBuilder()
        builder.controlCount = 2
        let panel = try builder.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                      annotations: Self.annotations, kinds: Self.kinds())
        #expect(panel.references == ["gpt-a", "gpt-b"])
        // The other maker's model nearest in kind (length 5.1 against the suspect's 5).
        #expect(panel.alternativeReferences == ["claude-short"])
        // Never a student of the reference's maker, an undisclosed model, or the alternative's lineage.
        #expect(!panel.controls.contains("gpt-student") && !panel.controls.contains("mystery"))
        #expect(!panel.controls.contains("claude-student") && !panel.controls.contains("claude-long"))
        // The two nearest (human-1 at 0.4, human-2 at 0.4) bracket the suspect already.
        #expect(Set(panel.controls) == ["human-1", "human-2"])
        #expect(panel.members.filter { $0.chosenBy == "lineage" }.allSatisfy { !$0.reason.isEmpty })
        #expect(panel.excluded.contains { $0.model == "gpt-student" })
    }

    @Test func oneAlternativePerOtherMakerNearestFirst() throws {
        var builder = PanelBuilder()
        builder.controlCount = 2
        builder.alternativePerMaker = true
        let panel = try builder.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                      annotations: Self.annotations, kinds: Self.kinds())
        // Anthropic's nearest (claude-short, 0.1 from the suspect) first, then Google's only model; not claude-long.
        #expect(panel.alternativeReferences == ["claude-short", "gemini"])
        #expect(panel.members.filter { $0.role == .alternativeReference }.allSatisfy { $0.chosenBy == "lineage" && !$0.reason.isEmpty })
        #expect(Set(panel.controls) == ["human-1", "human-2"])
        // Named alternatives are kept as named.
        let named = try builder.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: ["claude-long"], controls: [],
                                      annotations: Self.annotations, kinds: Self.kinds())
        #expect(named.alternativeReferences == ["claude-long"])
    }

    @Test func controlsAreWidenedUntilTheyBracketTheSuspect() throws {
        var builder = PanelBuilder()
        builder.controlCount = 1
        var kinds = Self.kinds()
        kinds["human-2"]!.logLength = 4.8     // both nearest controls now lie below the suspect
        let panel = try builder.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                      annotations: Self.annotations, kinds: kinds)
        let lengths = panel.controls.map { kinds[$0]!.logLength }
        #expect(lengths.contains { $0 >= 5 } && lengths.contains { $0 <= 5 })
    }

    @Test func namedRolesWinAndOddControlsAreNoted() throws {
        let panel = try PanelBuilder().build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: ["gemini"],
                                             controls: ["gpt-student", "human-1"], annotations: Self.annotations, kinds: Self.kinds())
        #expect(panel.alternativeReferences == ["gemini"] && panel.controls == ["gpt-student", "human-1"])
        #expect(panel.notes.contains { $0.contains("gpt-student") })
        var only = PanelBuilder()
        only.familyReferences = false
        #expect(try only.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: ["gemini"], controls: ["human-1"],
                               annotations: Self.annotations, kinds: Self.kinds()).references == ["gpt-a"])
    }

    @Test func theAlternativeCancelsAKnownTeacherAndCanAvoidTheSuspectsDescent() throws {
        var annotations = Self.annotations
        var kinds = Self.kinds()
        annotations["meta-chat"] = ModelAnnotation(model: "meta-chat", maker: "Meta", trainedOn: .original)
        kinds["meta-chat"] = ModelKind(model: "meta-chat", logLength: 5, format: 0.2, consensus: 0.4, probes: 10)
        // Made from Meta's weights: Meta's model, the nearest in kind, is not the alternative.
        annotations["suspect"] = ModelAnnotation(model: "suspect", trainedOn: .derived, teacher: "Meta")
        var avoiding = PanelBuilder()
        avoiding.avoidSuspectDescent = true
        #expect(try PanelBuilder().build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                         annotations: annotations, kinds: kinds).alternativeReferences == ["meta-chat"])
        let derived = try avoiding.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                         annotations: annotations, kinds: kinds)
        #expect(derived.alternativeReferences == ["claude-short"] && derived.cancelledInfluence == nil)
        #expect(derived.members.first { $0.role == .alternativeReference }!.reason.contains("descends from (meta)"))
        // Unannotated, its name says Meta: the same.
        annotations["llama-x"] = nil
        kinds["llama-x"] = kinds["suspect"]!
        #expect(try avoiding.build(suspect: "llama-x", references: ["gpt-a"], alternativeReferences: [], controls: ["human-1"],
                                         annotations: annotations, kinds: kinds).alternativeReferences == ["claude-short"])
        // Distilled from Google and asked about OpenAI: measured against Google's model, though Anthropic's is nearer.
        annotations["suspect"] = ModelAnnotation(model: "suspect", trainedOn: .distilled, teacher: "Google")
        #expect(try PanelBuilder().build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                         annotations: annotations, kinds: kinds).cancelledInfluence == nil)
        var cancelling = PanelBuilder()
        cancelling.cancelKnownTeacher = true
        let taught = try cancelling.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                          annotations: annotations, kinds: kinds)
        #expect(taught.alternativeReferences == ["gemini"] && taught.cancelledInfluence == "Google")
        // Distilled from OpenAI and asked about OpenAI: the annotation of the answer is not used.
        annotations["suspect"] = ModelAnnotation(model: "suspect", trainedOn: .distilled, teacher: "OpenAI")
        let positive = try cancelling.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: [],
                                            annotations: annotations, kinds: kinds)
        #expect(positive.alternativeReferences == ["meta-chat"] && positive.cancelledInfluence == nil)
        // Such a study cannot clear the suspect.
        var cleared = try FakeStudy().attribution
        cleared.verdict = .noEvidence
        let plan = StudyPlanner.Plan(panel: taught, kinds: kinds, fit: nil, referenceMaker: "OpenAI")
        #expect(cleared.planned(plan).verdict == .inconclusive)
        var found = cleared
        found.verdict = .evidence
        #expect(found.planned(plan).verdict == .evidence)
        #expect(cleared.planned(StudyPlanner.Plan(panel: positive, kinds: kinds, fit: nil, referenceMaker: "OpenAI")).verdict == .noEvidence)
    }

    @Test func refusesWithAFixWhenNoSoundPanelExists() throws {
        #expect(throws: FingerprintError.self) {
            try PanelBuilder().build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: ["x"],
                                     annotations: [:], kinds: [:])
        }
        var centric = PanelBuilder()
        centric.allowReferenceCentric = true
        let panel = try centric.build(suspect: "suspect", references: ["gpt-a"], alternativeReferences: [], controls: ["x"],
                                      annotations: [:], kinds: [:])
        #expect(panel.alternativeReferences.isEmpty && panel.controls == ["x"])
    }
}

@Suite struct RestrictedSimilaritiesTests {
    @Test func aSubsetReadsTheSameCosines() throws {
        var generator = SeededGenerator(seed: 42)
        let models = ["a", "b", "c", "d"]
        let similarities = (0..<3).map { _ -> Matrix in
            var m = Matrix(rows: 4, columns: 4)
            for i in 0..<4 { for j in 0...i { let v = Float.random(in: -1...1, using: &generator); m[i, j] = v; m[j, i] = v } }
            return m
        }
        let probes = (0..<3).map { ProbeSimilarities.Probe(probeID: Int64($0), probeHash: "h\($0)", turns: 1) }
        let full = ProbeSimilarities(models: models, probes: probes, similarities: similarities,
                                     logLengths: (0..<3).map { p in (0..<4).map { Float(p * 10 + $0) } },
                                     identityClaims: (0..<3).map { _ in (0..<4).map { [$0 == 2] } }, cleaning: [:],
                                     samples: ["a": 1, "b": 2, "c": 3, "d": 4])
        let sub = full.restricted(to: ["d", "b"])
        for p in 0..<3 {
            #expect(sub.similarities[p][0, 1] == similarities[p][3, 1])
            #expect(sub.similarities[p][0, 0] == similarities[p][3, 3])
            #expect(sub.logLengths[p] == [Float(p * 10 + 3), Float(p * 10 + 1)])
        }
        #expect(sub.samples == ["b": 2, "d": 4] && sub.models == ["d", "b"])
    }
}
