import Foundation

/// The campaigns as one self-contained HTML page, in the same style as Lineage's other reports:
/// inline SVG (a timeline, the account-similarity structure, feature distributions against the
/// benign tenants), no scripts, nothing fetched. Account names, prompts and fingerprints come
/// from logs, which are untrusted input: every one is escaped.
public enum CampaignHTMLReport {
    static let palette = ["#c0392b", "#2e86c1", "#27ae60", "#8e44ad", "#d68910", "#17a589"]

    public static func render(_ result: CampaignResult) -> String {
        let e = Escape.html
        let flagged = result.campaigns.filter(\.flagged)
        var body = "<header><h1>Harvesting campaigns</h1>\n<p class=\"question\">Which accounts act as one operator harvesting the model's outputs?</p>\n"
        let verdict = flagged.isEmpty ? "no-evidence" : "evidence"
        body += "<p class=\"verdict \(verdict)\">\(flagged.isEmpty ? "No campaign flagged" : "\(flagged.count) campaign\(flagged.count == 1 ? "" : "s") flagged, \(result.flaggedAccounts) accounts")</p>\n</header>\n"
        body += "<section><h2>Summary</h2>\n"
        body += "<p>Accounts are linked when their prompts are alike (LSH over MinHash signatures, confirmed by the cosine of prompt CountSketches) or when they share a network or payment fingerprint and their prompts are somewhat alike, and when they behave alike (what they ask for, how much they take). Linked groups of at least \(result.parameters.minAccounts) accounts are clusters; a cluster is flagged when its score (the sum of the feature contributions below) reaches \(e(Format.number(result.parameters.flagScore))) and it shows the signs of harvesting (reasoning or code elicitation, or long outputs per prompt). A single heavy account, however repetitive, is never a campaign.</p>\n"
        body += HTMLReport.keyValueTable([
            ("requests", "\(result.requests)"), ("accounts", "\(result.accounts)"),
            ("period", "\(result.first ?? "–") to \(result.last ?? "–")"),
            ("clusters", "\(result.campaigns.count) (\(flagged.count) flagged)"),
            ("flagged accounts", "\(result.flaggedAccounts)"),
            ("background similarity", "\(Format.number(result.backgroundSimilarity)) (median sketch cosine of random account pairs)"),
            ("content threshold", Format.number(result.effectiveContentThreshold)),
            ("candidate checks", "\(result.candidatePairs)"),
        ])
        if !result.campaigns.isEmpty {
            body += "<table><thead><tr><th>rank</th><th>campaign</th><th>flagged</th><th>score</th><th>accounts</th><th>requests</th><th>output tokens</th><th>first</th><th>last</th><th>cohesion</th></tr></thead><tbody>\n"
            for c in result.campaigns {
                body += "<tr><td class=\"num\">\(c.rank)</td><td><a href=\"#\(e(c.id))\">\(e(c.id))</a></td><td\(c.flagged ? " class=\"warn\"" : "")>\(c.flagged ? "yes" : "no")</td>"
                body += "<td class=\"num\">\(e(Format.number(c.score)))</td><td class=\"num\">\(c.accountCount)</td><td class=\"num\">\(c.requests)</td>"
                body += "<td class=\"num\">\(c.outputTokens)</td><td>\(e(c.first))</td><td>\(e(c.last))</td><td class=\"num\">\(e(Format.number(c.cohesion)))</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        body += "</section>\n<section><h2>Timeline</h2>\n<figure>\(timeline(result))<figcaption>Requests per day: all traffic (grey) and each flagged campaign (colours, in rank order).</figcaption></figure>\n</section>\n"
        if let sample = result.similaritySample {
            body += "<section><h2>Account-similarity structure</h2>\n<figure>\(SVGCharts.heatmap(sample))<figcaption>Prompt-sketch cosine between a sample of accounts: up to eight from each of the first flagged campaigns, then accounts in no cluster. Campaigns show as dark blocks; benign tenants are unlike each other.</figcaption></figure>\n</section>\n"
        }
        body += "<section><h2>Feature distributions</h2>\n<p>Accounts in flagged campaigns (red) against accounts in no cluster (blue), each as a share of its group.</p>\n"
        for distribution in result.distributions {
            body += "<figure>\(histogram(distribution))<figcaption>\(e(distribution.feature.replacingOccurrences(of: "_", with: " ")))</figcaption></figure>\n"
        }
        body += "</section>\n"
        for c in result.campaigns {
            body += "<section id=\"\(e(c.id))\"><h2>\(e(c.id)): \(c.accountCount) accounts, score \(e(Format.number(c.score)))\(c.flagged ? " — flagged" : " — not flagged")</h2>\n"
            body += HTMLReport.keyValueTable([
                ("requests", "\(c.requests)"), ("tokens", "\(c.inputTokens) in, \(c.outputTokens) out"),
                ("period", "\(c.first) to \(c.last) (\(Format.number(c.spanDays)) days)"),
                ("edges", "\(c.contentEdges) by alike prompts, \(c.infrastructureEdges) by shared infrastructure, \(c.behaviourEdges) by alike harvesting behaviour"),
                ("shared networks", c.sharedNetworks.isEmpty ? "none" : c.sharedNetworks.joined(separator: ", ")),
                ("shared payments", c.sharedPayments.isEmpty ? "none" : c.sharedPayments.joined(separator: ", ")),
            ])
            body += "<table><thead><tr><th>feature</th><th>campaign</th><th>benign</th><th>points</th><th>why</th></tr></thead><tbody>\n"
            for feature in c.features {
                body += "<tr><td>\(e(feature.name))</td><td class=\"num\">\(e(Format.number(feature.value)))</td><td class=\"num\">\(e(Format.number(feature.benign)))</td><td class=\"num\">\(e(Format.number(feature.contribution)))</td><td>\(e(feature.why))</td></tr>\n"
            }
            body += "</tbody></table>\n<p class=\"label\">Example prompts</p>\n"
            body += c.examplePrompts.map { "<pre class=\"prompt\">\(e($0))</pre>\n" }.joined()
            let shown = c.accounts.prefix(200)
            body += "<details><summary>Accounts (\(c.accountCount)\(c.accountCount > shown.count ? ", first \(shown.count) shown; all in the JSON" : ""))</summary><p class=\"hash\">\(shown.map(e).joined(separator: " "))</p></details>\n</section>\n"
        }
        body += "<section><h2>Reproducibility</h2>\n" + HTMLReport.keyValueTable([
            ("command", result.command ?? "–"), ("version", result.version), ("schema", result.schema),
            ("seed", "\(result.parameters.seed)"),
            ("parameters", "min accounts \(result.parameters.minAccounts), min requests \(result.parameters.minRequests), content threshold \(Format.number(result.parameters.contentThreshold)), infrastructure threshold \(Format.number(result.parameters.infrastructureThreshold)), band rows \(result.parameters.bandRows), probes \(result.parameters.probes)"),
        ], codeKeys: ["command"]) + "</section>\n"
        return HTMLReport.page(title: "Harvesting campaigns", body: body)
    }

    private static func n(_ value: Double) -> String { String(format: "%.2f", value) }

    private static func svg(_ width: Double, _ height: Double, _ title: String, _ body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"11\"><title>\(Escape.html(title))</title>\n\(body)</svg>"
    }

    static func timeline(_ result: CampaignResult) -> String {
        let days = (result.timeline.map { $0[0] } + result.campaigns.flatMap { $0.timeline.map { $0[0] } })
        guard let lastDay = days.max(), !result.timeline.isEmpty else { return "" }
        let (left, top, width, height) = (56.0, 14.0, 620.0, 180.0)
        let highest = Double(result.timeline.map { $0[1] }.max() ?? 1)
        func x(_ day: Int) -> Double { left + Double(day) / Double(max(1, lastDay)) * width }
        func y(_ count: Int) -> Double { top + height - Double(count) / max(1, highest) * height }
        func path(_ points: [[Int]]) -> String {
            var filled: [Int: Int] = [:]
            for point in points { filled[point[0]] = point[1] }
            return (0...lastDay).map { "\($0 == 0 ? "M" : "L")\(n(x($0))),\(n(y(filled[$0] ?? 0)))" }.joined(separator: " ")
        }
        var body = "<path d=\"\(path(result.timeline))\" fill=\"none\" stroke=\"#999\" stroke-width=\"1.5\"><title>all requests</title></path>\n"
        for (index, campaign) in result.campaigns.filter(\.flagged).prefix(palette.count).enumerated() {
            body += "<path d=\"\(path(campaign.timeline))\" fill=\"none\" stroke=\"\(palette[index])\" stroke-width=\"1.5\"><title>\(Escape.html(campaign.id))</title></path>\n"
            body += "<text x=\"\(n(left + width + 6))\" y=\"\(n(top + 12 + Double(index) * 14))\" fill=\"\(palette[index])\">\(Escape.html(campaign.id))</text>\n"
        }
        body += "<line x1=\"\(n(left))\" y1=\"\(n(top + height))\" x2=\"\(n(left + width))\" y2=\"\(n(top + height))\" stroke=\"#333\"/>\n"
        for tick in SVGCharts.ticks(0, highest) {
            body += "<text x=\"\(n(left - 6))\" y=\"\(n(y(Int(tick)) + 4))\" text-anchor=\"end\">\(Format.number(tick))</text>\n"
        }
        for tick in SVGCharts.ticks(0, Double(lastDay)) {
            body += "<text x=\"\(n(x(Int(tick))))\" y=\"\(n(top + height + 15))\" text-anchor=\"middle\">\(Int(tick))</text>\n"
        }
        body += "<text x=\"\(n(left + width / 2))\" y=\"\(n(top + height + 32))\" text-anchor=\"middle\">day of the log</text>\n"
        return svg(left + width + 50, top + height + 40, "Requests per day, all and per flagged campaign", body)
    }

    static func histogram(_ d: CampaignResult.Distribution) -> String {
        let bins = d.campaign.count
        guard bins > 0 else { return "" }
        let (left, top, width, height) = (40.0, 10.0, 420.0, 110.0)
        let campaignTotal = Double(max(1, d.campaign.reduce(0, +))), benignTotal = Double(max(1, d.benign.reduce(0, +)))
        let highest = max(d.campaign.map { Double($0) / campaignTotal }.max() ?? 0, d.benign.map { Double($0) / benignTotal }.max() ?? 0, 0.01)
        let slot = width / Double(bins)
        var body = ""
        for bin in 0..<bins {
            let c = Double(d.campaign[bin]) / campaignTotal, b = Double(d.benign[bin]) / benignTotal
            let label = "\(Format.number(d.bins[bin]))–\(Format.number(d.bins[bin + 1]))"
            body += "<rect x=\"\(n(left + Double(bin) * slot + 1))\" y=\"\(n(top + height - b / highest * height))\" width=\"\(n(slot / 2 - 1))\" height=\"\(n(b / highest * height))\" fill=\"#2e86c1\"><title>\(Escape.html("benign \(label): \(Int((b * 100).rounded()))%"))</title></rect>\n"
            body += "<rect x=\"\(n(left + Double(bin) * slot + slot / 2))\" y=\"\(n(top + height - c / highest * height))\" width=\"\(n(slot / 2 - 1))\" height=\"\(n(c / highest * height))\" fill=\"#c0392b\"><title>\(Escape.html("campaign \(label): \(Int((c * 100).rounded()))%"))</title></rect>\n"
        }
        body += "<line x1=\"\(n(left))\" y1=\"\(n(top + height))\" x2=\"\(n(left + width))\" y2=\"\(n(top + height))\" stroke=\"#333\"/>\n"
        for (index, edge) in d.bins.enumerated() where index % 2 == 0 {
            body += "<text x=\"\(n(left + Double(index) * slot))\" y=\"\(n(top + height + 14))\" text-anchor=\"middle\">\(Format.number(edge))</text>\n"
        }
        return svg(left + width + 20, top + height + 24, "\(d.feature): campaign accounts against benign accounts", body)
    }
}
