import Foundation

/// The models of one attribution study and why each is there: named by the user, or chosen by
/// Lineage from what the store knows about its models (`PanelBuilder`).
public struct StudyPanel: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable {
        case suspect, reference, alternativeReference = "alternative-reference", control
    }

    public struct Member: Codable, Sendable, Equatable {
        public var model: String
        public var role: Role
        /// "user" when named on the command line, "lineage" when chosen from the store's annotations.
        public var chosenBy: String
        public var reason: String
        public var annotation: ModelAnnotation?
        public var kind: ModelKind?
    }

    /// The maker whose outputs the question is about.
    public var referenceMaker: String?
    public var members: [Member]
    /// What the builder could not do as asked, and what it did instead.
    public var notes: [String] = []
    /// The candidates for control it left out, with the reason (for `lineage controls` and the report).
    public var excluded: [Member] = []
    /// The maker the suspect is annotated as distilled from, when the alternative was chosen among its
    /// models to cancel that known influence; `no-evidence` is then out of reach (`planned`).
    public var cancelledInfluence: String?

    public var suspect: String { members.first { $0.role == .suspect }!.model }
    public var references: [String] { models(.reference) }
    public var alternativeReferences: [String] { models(.alternativeReference) }
    public var controls: [String] { models(.control) }

    func models(_ role: Role) -> [String] { members.filter { $0.role == role }.map(\.model) }

    /// Every model of the study, in the order attribution lists them.
    public var allModels: [String] { [suspect] + references + alternativeReferences + controls }
}

/// Builds a sound panel for "was S trained on outputs of R's maker?" from the store's annotations.
///
/// - References: R and every model of R's maker the store annotates as that maker's own (`original`),
///   because a student may have learnt from any of them.
/// - Alternative reference: the other maker's own model closest to S in kind, so the lean is measured
///   against a comparable assistant rather than the reference alone (everything resembles ChatGPT).
///   With `avoidSuspectDescent`, never a maker S descends from (its own maker, or the maker of the
///   weights it was made from). With `cancelKnownTeacher`, when S is annotated as distilled from
///   another maker M, the alternative is M's model closest in kind, so that the known influence
///   cancels; such a study cannot clear S (`cancelledInfluence`: M's style may hide R's).
/// - Controls: models annotated as not trained on R's maker's outputs (`ModelAnnotation.isControl`), and
///   not descended from the alternative's maker (their lean against it is trivially negative), the
///   `controlCount` nearest to S in kind, then widened until they bracket S on every measure if the
///   store allows it.
/// Roles the user named are kept as named; the builder only fills the roles left empty, and says what it chose and why.
public struct PanelBuilder: Sendable {
    public var familyReferences = true
    public var controlCount = 8
    /// Never choose an alternative of a maker the suspect descends from (run 8's rule (b) in
    /// scripts/evaluate-lineage-dev; off by default since it coincided with a new false alarm there).
    public var avoidSuspectDescent = false
    /// When the suspect is annotated as distilled from another maker, choose the alternative among that
    /// maker's models, and allow no `no-evidence` (rule (c) of runs 8 and 9 in scripts/evaluate-lineage-dev;
    /// off by default: with one alternative model it brought false alarms in run 9).
    public var cancelKnownTeacher = false
    /// Allow a study without an alternative reference (the reference-centric test as primary).
    public var allowReferenceCentric = false
    /// Choose one alternative per other maker (each maker's model closest to S in kind, nearest maker
    /// first) instead of the single closest, for a lean tested against each (run 11 of
    /// scripts/evaluate-lineage-dev, `AttributionOptions.eachAlternative`). Not with a known teacher's
    /// alternative (`cancelKnownTeacher`), which stands alone.
    public var alternativePerMaker = false

    public init() {}

    public func build(suspect: String, references: [String], alternativeReferences: [String], controls: [String],
                      annotations: [String: ModelAnnotation], kinds: [String: ModelKind],
                      referenceMaker stated: String? = nil) throws -> StudyPanel {
        guard let reference = references.first else {
            throw FingerprintError(description: "no reference: name the model the suspect may have learnt from with --reference")
        }
        let maker = stated ?? annotations[reference]?.maker ?? annotations[reference]?.lineageMaker
            ?? IdentityLexicon.family(ofModelNamed: reference)?.name
        func member(_ model: String, _ role: StudyPanel.Role, _ by: String, _ reason: String) -> StudyPanel.Member {
            .init(model: model, role: role, chosenBy: by, reason: reason, annotation: annotations[model], kind: kinds[model])
        }
        var members = [member(suspect, .suspect, "user", "the model asked about")]
        var notes: [String] = []
        var taken = Set([suspect])
        for r in references {
            members.append(member(r, .reference, "user", "named with --reference"))
            taken.insert(r)
        }
        let lowerMaker = maker?.lowercased()
        if familyReferences, let lowerMaker {
            for (model, a) in annotations.sorted(by: { $0.key < $1.key })
            where a.trainedOn == .original && a.maker?.lowercased() == lowerMaker && !taken.contains(model)
                && !alternativeReferences.contains(model) && !controls.contains(model) && kinds[model] != nil {
                members.append(member(model, .reference, "lineage", "a model of \(maker!), the reference's maker: a student may have learnt from any of them"))
                taken.insert(model)
            }
        }

        // Standardised distance in kind to the suspect, over every model profiled.
        let scale: [Double] = (0..<ModelKind.measureNames.count).map { i in
            let values = kinds.keys.sorted().map { kinds[$0]!.measures[i] }
            let mean = values.reduce(0, +) / Double(max(1, values.count))
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count - 1))).squareRoot()
            return sd > 0 ? sd : 1
        }
        let suspectKind = kinds[suspect]
        func distance(_ model: String) -> Double {
            guard let s = suspectKind, let k = kinds[model] else { return .infinity }
            return zip(zip(s.measures, k.measures), scale).reduce(0) { $0 + pow(($1.0.0 - $1.0.1) / $1.1, 2) }.squareRoot()
        }

        var alternatives = alternativeReferences
        var alternativeMaker: String?
        for a in alternativeReferences {
            members.append(member(a, .alternativeReference, "user", "named with --alternative-reference"))
            taken.insert(a)
        }
        var cancelledInfluence: String?
        if alternatives.isEmpty {
            let all = annotations.values.filter { a in
                a.trainedOn == .original && a.maker != nil && a.maker!.lowercased() != lowerMaker && !taken.contains(a.model) && kinds[a.model] != nil
            }.map(\.model).sorted { (distance($0), $0) < (distance($1), $1) }
            let descent = avoidSuspectDescent ? Self.descent(of: suspect, annotation: annotations[suspect]).subtracting(lowerMaker.map { [$0] } ?? []) : []
            let teacher = annotations[suspect].flatMap { $0.trainedOn == .distilled && cancelKnownTeacher ? $0.teacher : nil }
                .flatMap { $0.lowercased() == lowerMaker ? nil : $0 }
            let ofTeacher = all.filter { annotations[$0]?.maker?.lowercased() == teacher?.lowercased() }
            let notOwn = all.filter { !descent.contains(annotations[$0]!.maker!.lowercased()) }
            let candidates = !ofTeacher.isEmpty ? ofTeacher : !notOwn.isEmpty ? notOwn : all
            // A model named as a control stays a control unless it is the only candidate.
            if let chosen = candidates.first(where: { !controls.contains($0) }) ?? candidates.first {
                let a = annotations[chosen]!
                alternatives = [chosen]
                alternativeMaker = a.maker
                let why: String
                if !ofTeacher.isEmpty {
                    cancelledInfluence = a.maker
                    why = "the model of \(a.maker!), whose outputs \(suspect) is annotated as trained on, closest to it in kind: measured against it, "
                        + "the influence already known cancels, and what remains is a lean toward \(reference) beyond it"
                } else {
                    why = "the model of another maker (\(a.maker!)) closest to \(suspect) in kind: the lean toward \(reference) is measured "
                        + "against it, which cancels what every assistant shares with \(reference)"
                        + (descent.isEmpty ? "" : notOwn.isEmpty ? "; no other maker's model is in the store, so it is of a maker \(suspect) descends from"
                            : "; never a maker \(suspect) descends from (\(descent.sorted().joined(separator: ", ")))")
                }
                members.append(member(chosen, .alternativeReference, "lineage", why))
                taken.insert(chosen)
                if alternativePerMaker && cancelledInfluence == nil {
                    var makers = Set([a.maker!.lowercased()])
                    for other in candidates where !taken.contains(other) && !controls.contains(other) {
                        let otherMaker = annotations[other]!.maker!
                        guard makers.insert(otherMaker.lowercased()).inserted else { continue }
                        alternatives.append(other)
                        members.append(member(other, .alternativeReference, "lineage",
                            "the model of \(otherMaker) closest to \(suspect) in kind: the lean toward \(reference) must hold against every "
                                + "other maker's model, so that resembling \(otherMaker) does not read as leaning toward \(reference)"))
                        taken.insert(other)
                    }
                }
                if controls.contains(chosen) { notes.append("\(chosen), named as a control, is the only other maker's model in the store: it became the alternative reference") }
                if !descent.isEmpty && notOwn.isEmpty && ofTeacher.isEmpty {
                    notes.append("the only other maker's models in the store are of a maker \(suspect) descends from; the alternative \(chosen) may hide a lean toward \(reference)")
                }
            } else if !allowReferenceCentric {
                throw FingerprintError(description: "no alternative reference: the store annotates no model of a maker other than \(maker ?? reference)'s "
                    + "as that maker's own. Without one the test can only ask whether \(suspect) is nearer to \(reference) than the controls, "
                    + "which a better assistant passes and a weaker student fails.\n  fix: name one with --alternative-reference MODEL, annotate "
                    + "one with `lineage models annotate MODEL --maker MAKER --trained-on original`, or ask for that test by name with --reference-centric")
            } else {
                notes.append("no alternative reference: the primary test is reference-centric, as asked with --reference-centric")
            }
        } else {
            alternativeMaker = annotations[alternatives[0]]?.maker ?? IdentityLexicon.family(ofModelNamed: alternatives[0])?.name
        }

        var excluded: [StudyPanel.Member] = []
        if controls.isEmpty {
            guard let lowerMaker else {
                throw FingerprintError(description: "no control named, and the maker of \(reference) is unknown, so Lineage cannot tell which "
                    + "models are not trained on its outputs.\n  fix: annotate it (`lineage models annotate \(reference) --maker MAKER --trained-on original`), "
                    + "pass --reference-family, or name controls with --control")
            }
            var eligible: [String] = []
            for (model, a) in annotations.sorted(by: { $0.key < $1.key }) where !taken.contains(model) {
                if kinds[model] == nil { continue }
                if !a.isControl(forReferenceMaker: lowerMaker) {
                    excluded.append(member(model, .control, "lineage", "not known to be free of \(maker!)'s outputs: \(a.summary)"))
                } else if let am = alternativeMaker?.lowercased(), a.lineageMaker?.lowercased() == am {
                    excluded.append(member(model, .control, "lineage", "of the alternative reference's lineage (\(alternativeMaker!)): its lean against it says nothing"))
                } else {
                    eligible.append(model)
                }
            }
            guard !eligible.isEmpty else {
                throw FingerprintError(description: "no control: the store annotates no model (besides the references and alternatives) as free of \(maker!)'s "
                    + "outputs.\n  fix: annotate some (`lineage models annotate MODEL --trained-on human --source URL`) or name them with --control")
            }
            eligible.sort { (distance($0), $0) < (distance($1), $1) }
            var chosen = Array(eligible.prefix(controlCount))
            // Widen until the controls bracket the suspect on every measure, nearest first.
            if let s = suspectKind {
                for i in 0..<ModelKind.measureNames.count {
                    for side in [1.0, -1.0] {
                        let covered = chosen.contains { ((kinds[$0]!.measures[i] - s.measures[i]) * side) >= 0 }
                        if covered { continue }
                        if let extra = eligible.first(where: { !chosen.contains($0) && ((kinds[$0]!.measures[i] - s.measures[i]) * side) >= 0 }) {
                            chosen.append(extra)
                        }
                    }
                }
            }
            for model in chosen {
                members.append(member(model, .control, "lineage",
                    "not trained on \(maker!)'s outputs by its annotation; distance in kind to \(suspect) \(String(format: "%.2f", distance(model))) standard deviations"))
            }
            for model in eligible where !chosen.contains(model) {
                excluded.append(member(model, .control, "lineage", "eligible, but further from \(suspect) in kind (\(String(format: "%.2f", distance(model))) sd)"))
            }
        } else {
            for c in controls {
                members.append(member(c, .control, "user", "named with --control"))
                if let a = annotations[c], let lowerMaker, !a.isControl(forReferenceMaker: lowerMaker) {
                    notes.append("the control \(c) is annotated \"\(a.summary)\": it is not known to be free of \(maker!)'s outputs, which would hide such training in the suspect")
                }
            }
        }
        var panel = StudyPanel(referenceMaker: maker, members: members, notes: notes, excluded: excluded)
        panel.cancelledInfluence = cancelledInfluence
        return panel
    }

    /// The makers (lowercased) whose behaviour a model carries by descent: its annotated maker, the maker
    /// of the weights it was made from, and the family its name suggests.
    static func descent(of model: String, annotation: ModelAnnotation?) -> Set<String> {
        var makers = Set<String>()
        if let m = annotation?.maker { makers.insert(m.lowercased()) }
        if annotation?.trainedOn == .derived, let t = annotation?.teacher { makers.insert(t.lowercased()) }
        if annotation?.maker == nil, let f = IdentityLexicon.family(ofModelNamed: model)?.name { makers.insert(f.lowercased()) }
        return makers
    }
}
