import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Lineage

/// Issue 13: the page reads verdict first, shows every probe, states the floor and does not contradict itself.
@Suite struct ReportPageTests {
    /// 150 per-probe effects, 43 of them negative, the lowest −0.41 (the issue's demo).
    static func manyEffects() -> [ProbeEffect] {
        (0..<150).map { i in
            let effect = i < 43 ? -0.41 + Double(i) * 0.009 : 0.01 + Double(i - 43) * 0.004
            return ProbeEffect(probeID: "p\(i)", probeHash: "h\(i)", category: i % 2 == 0 ? "writing" : "coding", effect: effect)
        }
    }

    static func attribution(verdict: Verdict, power: Double, effects: [ProbeEffect]) throws -> AttributionResult {
        var result = try FakeStudy().attribution
        result.verdict = verdict
        result.power = PowerEstimate(effectThatMatters: 0.02, power: power, probesUsed: effects.count, probesNeeded: nil, method: "normal approximation")
        result.tests[0].perProbe = effects
        result.probes = effects.count
        return result
    }

    func position(_ text: String, in page: String) -> Int? {
        page.range(of: text).map { page.distance(from: page.startIndex, to: $0.lowerBound) }
    }

    @Test func verdictThenPlainWordsThenEvidenceThenTheMethodInAnAppendix() throws {
        let html = HTMLReport.render(.attribution(try FakeStudy().attribution), manifest: nil)
        let order = ["class=\"verdict evidence\"", "<h2>In plain words</h2>", "<h2>Evidence</h2>", "<h2>Appendix: method</h2>", "<h2>Reproducibility</h2>"]
        let positions = try order.map { try #require(position($0, in: html), "\($0) missing") }
        #expect(positions == positions.sorted())
        // The plain paragraph names the suspect, the reference, every control and says what the result does not mean.
        let plain = String(html[html.range(of: "<h2>In plain words</h2>")!.upperBound...].prefix(2000))
        for word in ["fake-suspect", "fake-reference", "fake-control-1", "fake-control-2", "What it does not mean"] {
            #expect(plain.contains(word), "\(word)")
        }
        // The method moved: no method column in the tests table, the method text is in the appendix.
        #expect(!html.contains("<th>method</th>"))
        let appendix = String(html[html.range(of: "<h2>Appendix: method</h2>")!.upperBound...])
        #expect(appendix.contains("sign-flip permutation over probes"))
    }

    @Test func aLowPowerNoEvidencePageDoesNotClaimItWouldVeryLikelyHaveShownIt() throws {
        for (power, claims) in [(0.34, false), (0.93, true)] {
            let result = try Self.attribution(verdict: .noEvidence, power: power, effects: Self.manyEffects())
            let html = HTMLReport.render(.attribution(result), manifest: nil)
            let markdown = MarkdownReport.render(.attribution(result), manifest: nil)
            for page in [html, markdown] {
                #expect(page.contains("would very likely") == claims, "power \(power)")
                #expect(page.contains("\(Int(power * 100))%"))
            }
        }
    }

    @Test func everyProbeIsShownAndTheMostNegativeBesideTheMostPositive() throws {
        let effects = Self.manyEffects()
        let result = try Self.attribution(verdict: .evidence, power: 0.9, effects: effects)
        let html = HTMLReport.render(.attribution(result), manifest: nil)
        // The histogram's bars count every probe once.
        let histogram = SVGCharts.effectHistogram(effects, overall: result.effect)
        let counts = histogram.components(separatedBy: "<title>").dropFirst().compactMap { Int($0.split(separator: " ").first ?? "") }
        #expect(counts.reduce(0, +) == 150)
        #expect(histogram.contains("all 150 probes; 43 below zero"))
        // Zero is a bin edge: no bar holds probes from both sides of it (red and blue bars never share an x).
        func xs(_ colour: String) -> Set<String> {
            Set(histogram.components(separatedBy: "<rect x=\"").dropFirst().filter { $0.contains("fill=\"\(colour)\"") }.map { String($0.split(separator: "\"")[0]) })
        }
        let straddling = [-0.3, -0.001, 0, 0.001, 0.2].enumerated().map { ProbeEffect(probeID: "s\($0)", probeHash: "s\($0)", category: nil, effect: $1) }
        #expect(xs("#d98880").isDisjoint(with: xs("#8fa9cf")) && !xs("#d98880").isEmpty)
        let small = SVGCharts.effectHistogram(straddling, overall: nil)
        let red = Set(small.components(separatedBy: "<rect x=\"").dropFirst().filter { $0.contains("#d98880") }.map { String($0.split(separator: "\"")[0]) })
        let blue = Set(small.components(separatedBy: "<rect x=\"").dropFirst().filter { $0.contains("#8fa9cf") }.map { String($0.split(separator: "\"")[0]) })
        #expect(red.isDisjoint(with: blue) && red.count >= 1 && blue.count >= 1)
        #expect(html.contains("class=\"chart effects\""))
        // The tables of extremes: the lowest probe (p0, −0.41) and the highest (p149).
        #expect(html.contains("Most negative per-probe effects") && html.contains("Most positive per-probe effects"))
        let negative = String(html[html.range(of: "Most negative per-probe effects")!.upperBound...].prefix(600))
        #expect(negative.contains("<td>p0</td>") && negative.contains("-0.41"))
        // The forest plot: the 20 largest and the 20 smallest, with the gap between them said.
        let forest = SVGCharts.forestPlot(effects, overall: result.effect)
        #expect(forest.components(separatedBy: "<circle").count - 1 == 40)
        #expect(forest.contains(">p0 (writing)<") && forest.contains(">p149 (coding)<"))
        #expect(forest.contains("110 probes in between"))
        #expect(forest.contains("the 20 largest and the 20 smallest of 150"))
    }

    @Test func overallIsNotClippedEvenWithShortProbeLabels() {
        let effects = [ProbeEffect(probeID: "a", probeHash: "h", category: nil, effect: 0.1)]
        let overall = EffectEstimate(description: "d", estimate: 0.1, ciLow: 0, ciHigh: 0.2, level: 0.95, method: "m")
        let forest = SVGCharts.forestPlot(effects, overall: overall)
        // "overall" is drawn right-aligned at x; its left end must stay inside the chart.
        let before = forest.components(separatedBy: "font-weight=\"bold\">overall")[0]
        let x = Double(before.components(separatedBy: "<text x=\"").last!.split(separator: "\"")[0])!
        #expect(x - SVGCharts.textWidth("overall") >= 0)
    }

    @Test func forestLabelsShowTheWholeCategoryOrAVisibleEllipsis() {
        let effects = [ProbeEffect(probeID: "refusal-003", probeHash: "h1", category: "refusal-boundary", effect: 0.5),
                       ProbeEffect(probeID: "instruct-021", probeHash: "h2", category: "instruction-following", effect: 0.1),
                       ProbeEffect(probeID: "x-1", probeHash: "h3", category: String(repeating: "long-category-", count: 3), effect: -0.1)]
        let forest = SVGCharts.forestPlot(effects, overall: nil)
        #expect(forest.contains(">refusal-003 (refusal-boundary)<") && forest.contains(">instruct-021 (instruction-following)<"))
        #expect(forest.contains(">x-1 (long-category-long-cate…)<"))
    }

    @Test func theForestCaptionPromisesIntervalsOnlyWhenTheyAreDrawn() throws {
        var result = try Self.attribution(verdict: .evidence, power: 0.9, effects: Self.manyEffects())
        var html = HTMLReport.render(.attribution(result), manifest: nil)
        #expect(!html.contains("with their intervals") && html.contains("no per-probe interval is computed"))
        result = try FakeStudy().attribution   // its per-probe effects carry intervals
        html = HTMLReport.render(.attribution(result), manifest: nil)
        #expect(html.contains("with their intervals"))
        #expect(SVGCharts.forestPlot(result.tests[0].perProbe!, overall: nil).contains("stroke=\"#4a6fa5\""))
    }

    @Test func theFloorIsStatedAndTheReplicatesAreNotRepeated() throws {
        var result = try FakeStudy().equality
        result.test.method = "MMD with a kernel; permutation of the labels within each prompt, B = 999"
        result.test.pValue = 0.001
        result.pValue = 0.001
        let html = HTMLReport.render(.equality(result), manifest: nil)
        #expect(html.contains("the smallest p-value 999 replicates allow"))
        #expect(!html.contains("B = 999, B = 999"))
        #expect(ReportModel.methodText(result.test) == result.test.method)
        result.test.method = "plain"
        #expect(ReportModel.methodText(result.test) == "plain, B = 999")
    }

    @Test func histogramCaptionMatchesItsColoursAndHasAYAxis() throws {
        let html = HTMLReport.render(.attribution(try FakeStudy().attribution), manifest: nil)
        #expect(!html.contains("grey bars"))
        let null = SVGCharts.nullHistogram((0..<100).map { Double($0 % 10) }, observed: 12, testName: "t")
        #expect(null.contains("fill=\"#8fa9cf\"") && html.contains("blue bars"))
        #expect(null.contains(">count</text>"))
        // 10 values in each of the ten bins that hold them: the y axis reaches 10.
        #expect(null.contains("text-anchor=\"end\">10</text>"))
    }

    @Test func longModelNamesFitInTheHeatmapAndTheTree() throws {
        let long = "an-extremely-long-model-name-that-goes-on-and-on-2025-01-01-instruct"
        let names = [long, "b", "c"]
        let matrix = SimilarityMatrix(models: names, values: [[1, 0.5, 0.4], [0.5, 1, 0.6], [0.4, 0.6, 1]])
        let heatmap = SVGCharts.heatmap(matrix)
        let width = Double(heatmap.components(separatedBy: "viewBox=\"0 0 ")[1].split(separator: " ")[0])!
        // The row label ends at labelWidth − 6 and needs its whole width to the left of that.
        let rowLabelX = Double(heatmap.components(separatedBy: "<text x=\"")[1].split(separator: "\"")[0])!
        #expect(rowLabelX - SVGCharts.textWidth(long) >= 0)
        // The rotated column label: its top stays at or below 0, its right end inside the width.
        let translate = heatmap.components(separatedBy: "translate(")[1].split(separator: ")")[0].split(separator: ",").map { Double($0)! }
        let angle = 50 * Double.pi / 180
        #expect(translate[1] - SVGCharts.textWidth(long) * sin(angle) >= 0)
        #expect(translate[0] + SVGCharts.textWidth(long) * cos(angle) <= width)
        let tree = ReportModel.tree(from: matrix)!
        let svg = SVGCharts.tree(tree)
        let treeWidth = Double(svg.components(separatedBy: "viewBox=\"0 0 ")[1].split(separator: " ")[0])!
        let leafX = svg.components(separatedBy: "<text x=\"").dropFirst().compactMap { part -> Double? in
            part.contains(">\(long)</text>") ? Double(part.split(separator: "\"")[0]) : nil
        }
        #expect(leafX.count == 1 && leafX[0] + SVGCharts.textWidth(long) <= treeWidth)
    }

    @Test func treeLegendHasEverySupportColourAndTheCaptionDoesNotContradictItself() throws {
        let study = try FakeStudy()
        let html = HTMLReport.render(.comparison(study.comparison), manifest: nil)
        for (label, colour) in SVGCharts.supportLegend {
            #expect(html.contains("fill=\"\(colour)\">\(Escape.html(label))</text>"), "\(label)")
        }
        // An attribution page's tree has no bootstrap: its caption says so and names no support.
        let attribution = HTMLReport.render(.attribution(study.attribution), manifest: nil)
        #expect(attribution.contains("no bootstrap"))
        #expect(!attribution.contains("Numbers on inner branches"))
    }

    @Test func aModelSharingNoProbeIsLeftOutOfTheTree() throws {
        let study = try FakeStudy()
        var responses = study.responses
        let loner = responses[0]
        responses.append(StoredResponse(id: 9_999, model: "loner", probeID: 9_999, probeHash: "lonely-probe", probe: ProbeContent(turns: ["alone?"]),
                                        sampleIndex: 0, parameters: SamplingParameters(), turns: ["quite alone here"], finishReason: "stop",
                                        contentHash: "lonely"))
        _ = loner
        let comparison = ModelComparison.compare(WordProfileDistance(responses: responses), replicates: 20, seed: 3,
                                                 reproducibility: FakeStudy.reproducibility("lineage tree (test)"))
        #expect(!comparison.tree.leafNames.contains("loner"))
        #expect(Set(comparison.tree.leafNames) == Set(FakeStudy.models))
        #expect(comparison.warnings.contains { $0.contains("loner") && $0.contains("left out of the tree") })
        #expect(comparison.models.contains("loner"))   // still in the distances and the heatmap
    }
}

@Suite struct EqualityEffectTests {
    /// Prompts 0–9: A and B draw from the same words; prompt 7: B answers with other words entirely.
    static func responses(seed: UInt64 = 11, samples: Int = 4) -> [StoredResponse] {
        var rng = SeededGenerator(seed: seed)
        var responses: [StoredResponse] = []
        for p in 0..<10 {
            for s in 0..<samples {
                for model in ["a", "b"] {
                    let words = model == "b" && p == 7 ? ["zebra", "quokka", "yak"] : ["red", "green", "blue"]
                    let text = (0..<10).map { _ in words[Int(rng.next() % 3)] }.joined(separator: " ")
                    responses.append(StoredResponse(id: Int64(responses.count), model: model, probeID: Int64(p), probeHash: "h\(p)",
                                                    probe: ProbeContent(turns: ["q\(p)"]), sampleIndex: s, parameters: SamplingParameters(),
                                                    turns: [text], finishReason: nil, contentHash: "\(model)\(p)\(s)\(text)"))
                }
            }
        }
        return responses
    }

    @Test func theEqualityResultHasAnEffectWithAnIntervalAndThePromptsThatMovedMost() throws {
        var options = EqualityOptions(modelA: "a", modelB: "b")
        options.permutations = 199
        let result = try EqualityStudy.run(options: options, responses: Self.responses())
        let effect = try #require(result.test.effect)
        #expect(effect.estimate == result.test.statistic)
        #expect(effect.ciLow <= effect.estimate && effect.estimate <= effect.ciHigh && effect.ciLow < effect.ciHigh)
        let perProbe = try #require(result.test.perProbe)
        #expect(perProbe.count == 10)
        #expect(perProbe.max { $0.effect < $1.effect }?.probeHash == "h7")
        // The per-prompt estimates with equal sample sizes average to the statistic (the same pairs, the same weights).
        let mean = perProbe.map(\.effect).reduce(0, +) / 10
        #expect(abs(mean - result.test.statistic) < 1e-9)
        // The page shows the effect, not "–", and the prompt that moved most first among the positive ones.
        let html = HTMLReport.render(.equality(result), manifest: nil)
        #expect(html.contains(Format.interval(effect)))
        let positive = String(html[html.range(of: "Most positive per-probe effects")!.upperBound...].prefix(400))
        #expect(positive.contains("<td>h7</td>"))
    }

    @Test func aSelfCheckWithTwoSamplesSaysExactlyWhatItNeeds() throws {
        let two = Self.responses(samples: 2).filter { $0.model == "a" }
        do {
            _ = try EqualityStudy.run(options: EqualityOptions(modelA: "a", modelB: "a"), responses: two)
            Issue.record("a self-check with two samples per prompt was run")
        } catch let error as FingerprintError {
            #expect(error.description.contains("at least 4 samples per prompt"))
            #expect(error.description.contains("at most 2"))
            #expect(error.description.contains("--samples 4"))
        }
        var options = EqualityOptions(modelA: "a", modelB: "a")
        options.permutations = 99
        let four = try EqualityStudy.run(options: options, responses: Self.responses(samples: 4).filter { $0.model == "a" })
        #expect(four.test.sampleSizes["prompts with repeated samples"] == 10)
    }
}

@Suite struct ResultFormatTests {
    @Test func junitMarksEvidenceAsAFailureAndIsWellFormed() throws {
        let study = try FakeStudy()
        var inconclusive = study.attribution
        inconclusive.verdict = .inconclusive
        inconclusive.suspect = "<odd & \"name\">"
        var none = study.equality
        none.verdict = .noEvidence
        let xml = ResultFormats.junit([.attribution(study.attribution), .attribution(inconclusive), .equality(none)], suite: "lineage test")
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(xml.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""))
        #expect(xml.components(separatedBy: "<failure").count == 2 && xml.components(separatedBy: "<skipped").count == 2)
        #expect(xml.contains("&lt;odd &amp; &quot;name&quot;&gt;"))
    }

    /// A CI system shows JUnit names as text: a bidi override or a terminal escape must arrive visible, not applied.
    @Test func junitShowsBidiOverridesAndEscapesAsText() throws {
        var study = try FakeStudy().attribution
        study.suspect = "ctl4 \u{202E}gpj.exe \u{1B}]0;owned\u{07}"
        let xml = ResultFormats.junit([.attribution(study)], suite: "lineage \u{2066}test")
        #expect(XMLParser(data: Data(xml.utf8)).parse())
        for raw in ["\u{202E}", "\u{2066}", "\u{1B}", "\u{07}"] { #expect(!xml.contains(raw), "\(raw.unicodeScalars.first!.value)") }
        #expect(xml.contains("\\u202E") && xml.contains("\\u2066") && xml.contains("\\u001B"))
    }

    @Test func csvHasOneRowPerTestWithNumbersThatReadBack() throws {
        let study = try FakeStudy()
        let csv = ResultFormats.csv([.attribution(study.attribution)])
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows[0] == ResultFormats.csvHeader)
        #expect(rows.count == 1 + study.attribution.tests.count)
        let p = rows[0].firstIndex(of: "p_value")!, ciLow = rows[0].firstIndex(of: "ci_low")!
        #expect(Double(rows[1][p]) == study.attribution.tests[0].pValue)
        #expect(Double(rows[1][ciLow]) == study.attribution.tests[0].effect!.ciLow)
        // A comparison is its distance matrix.
        let matrix = ResultFormats.csv([.comparison(study.comparison)]).split(separator: "\n")
        #expect(matrix.count == 1 + study.comparison.models.count)
    }
}

@Suite struct OutputSchemaTests {
    func object<T: Encodable>(_ value: T) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try LineageJSON.string(value).utf8)) as! [String: Any]
    }

    func check(_ json: [String: Any], _ file: String) throws {
        let url = ReportSchemaTests.schemaFolder.appendingPathComponent(file)
        #expect(try JSONSchemaValidator(schemaFile: url, strict: true).validate(json) == [], "\(file)")
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let properties = Set((schema["properties"] as! [String: Any]).keys)
        #expect(Set(json.keys).subtracting(properties).isEmpty, "\(file): \(Set(json.keys).subtracting(properties))")
    }

    @Test func verificationAndSimilarityOutputsMatchTheirSchemas() throws {
        let study = try FakeStudy()
        let directory = study.folder.path("report")
        try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: study.store, to: directory)
        let verification = try ReportVerifier.verify(reportDirectory: directory, store: study.store, signer: nil)
        try check(try object(verification), "lineage.verification.v2.json")
        let data = try FingerprintBuilder().similarities(of: study.responses, models: FakeStudy.models)
        let listing = SimilarityListing(store: "s.sqlite", probes: data.probes.count, lengthAdjusted: false, cleaning: data.cleaning,
                                        leftOut: ["only-failures"], similarity: data.meanSimilarity)
        let json = try object(listing)
        try check(json, "lineage.similarity.v1.json")
        #expect(json["left_out"] as? [String] == ["only-failures"])
        let annotation = ModelAnnotation(model: "fake-reference", maker: "OpenAI", trainedOn: .original, source: "https://example.org")
        try study.store.annotate([annotation])
        let models = try object(ModelListing(store: "s", models: try study.store.modelSummaries(), annotations: [annotation]))
        try check(models, "lineage.models.v1.json")
        #expect((models["models"] as? [[String: Any]])?.count == 4)
        let folder = try TemporaryFolder()
        let file = try folder.write("one.jsonl", "{\"model\": \"m\", \"probe_id\": \"p\", \"prompt\": \"q\", \"response\": \"a\"}\n")
        let imported = try TranscriptImporter().importFiles([file], into: try folder.store(), command: "lineage import one.jsonl")
        try check(try object(imported), "lineage.import.v1.json")
        let run = CollectionSummary(runID: 1, probeSetHash: "h", total: 8, alreadyStored: 0, succeeded: 7, failed: 1, storedElsewhere: 0,
                                    promptTokens: 100, completionTokens: 200, seconds: 1.5)
        try check(try object(run), "lineage.run.v1.json")
        // A wrong type is caught, so the check can fail.
        var broken = json
        broken["probes"] = "six"
        #expect(!(try JSONSchemaValidator(schemaFile: ReportSchemaTests.schemaFolder.appendingPathComponent("lineage.similarity.v1.json")).validate(broken).isEmpty))
    }
}

@Suite struct CounterHighlightTests {
    @Test func theMostNegativeProbesAreShownWithTheirAnswersAfterTheMostPositive() throws {
        let study = try FakeStudy()
        let (subject, manifest) = try ReportWriter.prepare(.attribution(study.attribution), responses: study.responses, store: study.store)
        guard case .attribution(let result) = subject else { Issue.record("not an attribution"); return }
        let highlights = try #require(result.highlights)
        // Effects 0.09, 0.04, 0.02, 0.015, 0 (q2, q3, q0, q5, q4) weigh most; q1 (−0.01), the only negative, weighs against.
        #expect(highlights.map(\.probeID) == ["q2", "q3", "q0", "q5", "q4", "q1"])
        let html = HTMLReport.render(subject, manifest: manifest)
        let heading = try #require(html.range(of: "weigh most against it"))
        let after = String(html[heading.upperBound...])
        #expect(after.contains("<h3>q1") && !after.contains("<h3>q2"))
        #expect(MarkdownReport.render(subject, manifest: manifest).contains("weigh most against it"))
    }
}

@Suite struct PanelFitWordingTests {
    /// The report says what the panel's fit did to the verdict: evidence that stands is not called capped.
    @Test func theReportSaysWhatTheFitDidToTheVerdict() throws {
        func kind(_ m: String, _ l: Double, _ f: Double, _ c: Double) -> ModelKind { ModelKind(model: m, logLength: l, format: f, consensus: c, probes: 10) }
        let outside = PanelFit.assess(suspect: kind("s", 7, 0.2, 0.4), controls: [kind("c1", 4, 0.1, 0.3), kind("c2", 5, 0.3, 0.5)], scale: [])
        #expect(!outside.brackets && outside.evidenceSafe)
        var found = try FakeStudy().attribution
        found.verdict = .evidence
        found.panelFit = outside
        let evidence = MarkdownReport.render(.attribution(found), manifest: nil)
        #expect(evidence.contains("evidence stands (its consensus (the capability proxy) lies within the controls' range)") && !evidence.contains("out of reach"))
        var open = found
        open.verdict = .inconclusive
        open.panelFit!.evidenceSafe = false
        let inconclusive = MarkdownReport.render(.attribution(open), manifest: nil)
        #expect(inconclusive.contains("no-evidence is out of reach, and so is evidence") && !inconclusive.contains("evidence stands"))
    }
}
