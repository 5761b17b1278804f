import Foundation

/// The report as Markdown, for a ticket or a pull request. Text from data is escaped; answers
/// are in fenced blocks that their own backticks cannot close.
public enum MarkdownReport {
    public static func render(_ subject: ReportSubject, manifest: ReportManifest?) -> String {
        let model = ReportModel(subject, manifest: manifest)
        var out = "# \(Escape.markdownInline(model.title))\n\n"
        if let verdict = model.verdict { out += "**Verdict: `\(verdict.rawValue)`**\n\n" }
        out += "**Question.** \(Escape.markdownInline(model.question))\n\n"
        out += Escape.markdownInline(model.plainWords) + "\n\n"
        if let why = model.why { out += "**Why this verdict.** " + Escape.markdownInline(why) + "\n\n" }
        out += table(["", ""], model.summary.map { [$0.0, $0.1] })

        if !model.tests.isEmpty {
            out += "\n## Evidence\n\n"
            out += table(["test", "null hypothesis", "statistic", "p-value", "p-value floor", "effect [CI]"], model.tests.map { test in
                [test.name, test.nullHypothesis, Format.number(test.statistic), Format.p(test.pValue), ReportModel.floorCell(test),
                 test.effect.map(Format.interval) ?? "–"]
            })
            if let (test, effects) = model.perProbe {
                let values = effects.map(\.effect)
                let mean = values.reduce(0, +) / Double(values.count)
                out += "\nPer-probe effects in \(Escape.markdownInline(test.name)): \(values.count) probes, mean \(Format.number(mean)), "
                out += "\(values.filter { $0 < 0 }.count) below zero, from \(Format.number(values.min()!)) to \(Format.number(values.max()!))"
                out += model.overallEffect.map { "; overall effect \(Format.interval($0))" } ?? ""
                out += ". Every probe's effect is in result.json.\n\n"
                let (positive, negative) = model.extremes()
                out += table(["most positive", "effect", "most negative", "effect"], (0..<max(positive.count, negative.count)).map { k in
                    [k < positive.count ? positive[k].probeID : "", k < positive.count ? Format.number(positive[k].effect) : "",
                     k < negative.count ? negative[k].probeID : "", k < negative.count ? Format.number(negative[k].effect) : ""]
                })
            }
        }
        if let power = model.power {
            out += "\n**Power.** \(Int((power.power * 100).rounded()))% to detect an effect of \(Format.number(power.effectThatMatters)) with \(power.probesUsed) probes"
            out += power.probesNeeded.map { "; about \($0) probes needed for 80%" } ?? ""
            out += ".\n"
        }
        if !model.controls.isEmpty {
            out += "\n## Controls\n\n\(Escape.markdownInline(ReportModel.controlsWhy))\n\n"
            out += table(["control", "diagnostic"], model.controls.map { [$0.model, $0.note ?? "no concern found"] })
        }
        if let tree = model.tree {
            out += "\n## Lineage tree\n\n\(Escape.markdownInline(tree.method)); distance: \(Escape.markdownInline(model.distance ?? "")). Newick (bootstrap support in percent on inner nodes):\n\n"
            out += Escape.markdownFence(model.newick ?? tree.newick) + "\n"
        }
        if let similarity = model.similarity, similarity.models.count <= 12 {
            out += "\n## Similarity\n\n"
            out += table([""] + similarity.models, similarity.models.enumerated().map { i, name in
                [name] + similarity.values[i].map { String(format: "%.3f", $0) }
            })
        }

        out += "\n## Probes and samples\n\n\(model.probes) probes used.\n\n"
        if !model.probeSets.isEmpty {
            out += table(["probe set", "version", "hash", "probes per category"], model.probeSets.map { set in
                [set.name, set.version, set.contentHash,
                 set.probesPerCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
            })
            out += "\n"
        }
        out += table(["model", "responses"], model.samples.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] })

        if !model.highlights.isEmpty {
            out += "\n## Probes that weigh most\n"
            let against = model.highlights.filter { $0.effect < 0 }
            for highlight in model.highlights.filter({ $0.effect >= 0 }) + against {
                if highlight.probeID == against.first?.probeID && highlight.effect < 0 {
                    out += "\nAnd the probes that weigh most against it (the most negative effects):\n"
                }
                out += "\n### \(Escape.markdownInline(highlight.probeID))"
                out += highlight.category.map { " (\(Escape.markdownInline($0)))" } ?? ""
                out += " — effect \(Format.number(highlight.effect)) in \(Escape.markdownInline(highlight.test))\n\n"
                if let system = highlight.system { out += "System:\n\n" + Escape.markdownFence(system) + "\n\n" }
                out += "Prompt:\n\n" + Escape.markdownFence(highlight.prompt.joined(separator: "\n\n--- next turn ---\n\n")) + "\n"
                for answer in highlight.answers {
                    out += "\n**\(Escape.markdownInline(answer.model))** (\(Escape.markdownInline(answer.role)), sample \(answer.sampleIndex)):\n\n"
                    out += Escape.markdownFence(answer.turns.joined(separator: "\n\n--- next turn ---\n\n")) + "\n"
                }
            }
        }

        let quality = qualityLines(model)
        if !quality.isEmpty {
            out += "\n## Data quality\n\n" + quality.map { "- \(Escape.markdownInline($0))\n" }.joined()
        }
        out += "\n## Appendix: method\n\n"
        for paragraph in model.methodParagraphs { out += Escape.markdownInline(paragraph) + "\n\n" }
        for test in model.tests {
            out += "- **\(Escape.markdownInline(test.name))** — alternative: \(Escape.markdownInline(test.alternative)); method: \(Escape.markdownInline(ReportModel.methodText(test)))"
            if let effect = test.effect { out += "; effect: \(Escape.markdownInline(effect.description)) (\(Escape.markdownInline(effect.method)))" }
            if !test.sampleSizes.isEmpty {
                out += "; sizes: " + test.sampleSizes.sorted { $0.key < $1.key }.map { "\(Escape.markdownInline($0.key)) \($0.value)" }.joined(separator: ", ")
            }
            out += "\n"
        }
        if !model.tests.isEmpty { out += ReportModel.floorSentences(model.tests).map { "\n" + Escape.markdownInline($0) + "\n" }.joined() }
        if let power = model.power { out += "\nPower: \(Escape.markdownInline(power.method)).\n" }
        out += "\n## Reproducibility\n\n"
        out += table(["", ""], model.reproducibilityRows.map { [$0.0, $0.1] })
        if let manifest = model.manifest {
            out += "\n## Manifest\n\n`manifest.json` lists the SHA-256 of \(manifest.probes.count) probes and \(manifest.responses.count) responses. "
            out += "Root hash: `\(manifest.rootHash)` (\(Escape.markdownInline(manifest.rootHashMethod))). "
            out += "`lineage verify REPORT_DIR --store PATH` recomputes it from the store.\n"
        }
        return out
    }

    static func qualityLines(_ model: ReportModel) -> [String] {
        var lines = model.warnings
        lines += model.dataQuality?.notes ?? []
        lines += model.cleaning.sorted { $0.key < $1.key }.map { "cleaning removed \($0.key): \($0.value)" }
        return lines
    }

    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        var out = "| " + header.map(Escape.markdownCell).joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in "---|" }.joined() + "\n"
        for row in rows { out += "| " + row.map(Escape.markdownCell).joined(separator: " | ") + " |\n" }
        return out
    }
}
