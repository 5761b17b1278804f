import Foundation

/// The equivalent forms a canary chooses among. Every set has two forms that mean the same in
/// any context they are matched in: American and British spellings, a few free variants, the
/// serial (Oxford) comma, list markers and digit grouping. Words inside code, URLs, identifiers
/// and hyphenated compounds are never touched.
public enum CanaryForms {
    public enum Kind: String, Codable, Sendable {
        case spelling, variant, serialComma = "serial-comma", bulletMarker = "bullet-marker",
             numberedMarker = "numbered-marker", digitGrouping = "digit-grouping"
    }

    /// Word pairs: (form 0, form 1). American spelling first.
    public static let spellings: [(String, String)] = [
        ("color", "colour"), ("colors", "colours"), ("colored", "coloured"), ("favorite", "favourite"),
        ("favorites", "favourites"), ("behavior", "behaviour"), ("behaviors", "behaviours"), ("honor", "honour"),
        ("labor", "labour"), ("neighbor", "neighbour"), ("neighbors", "neighbours"), ("flavor", "flavour"),
        ("flavors", "flavours"), ("humor", "humour"), ("center", "centre"), ("centers", "centres"),
        ("theater", "theatre"), ("fiber", "fibre"), ("organize", "organise"), ("organized", "organised"),
        ("organizing", "organising"), ("organization", "organisation"), ("organizations", "organisations"),
        ("realize", "realise"), ("realized", "realised"), ("recognize", "recognise"), ("recognized", "recognised"),
        ("analyze", "analyse"), ("analyzed", "analysed"), ("analyzing", "analysing"), ("apologize", "apologise"),
        ("summarize", "summarise"), ("summarized", "summarised"), ("prioritize", "prioritise"),
        ("optimize", "optimise"), ("optimized", "optimised"), ("optimization", "optimisation"),
        ("customize", "customise"), ("minimize", "minimise"), ("maximize", "maximise"), ("emphasize", "emphasise"),
        ("utilize", "utilise"), ("defense", "defence"), ("gray", "grey"), ("catalog", "catalogue"),
        ("modeling", "modelling"), ("traveled", "travelled"), ("traveling", "travelling"), ("canceled", "cancelled"),
        ("labeled", "labelled"), ("jewelry", "jewellery"), ("aluminum", "aluminium"), ("judgment", "judgement"),
        ("acknowledgment", "acknowledgement"),
    ]

    /// Free variants that mean the same wherever they stand.
    public static let variants: [(String, String)] = [
        ("toward", "towards"), ("afterward", "afterwards"), ("among", "amongst"), ("amid", "amidst"),
        ("spelled", "spelt"), ("dreamed", "dreamt"), ("for example", "for instance"),
    ]

    /// One word-level set: its id ("spelling:color") and its two forms.
    public struct WordSet: Sendable {
        public var id: String
        public var kind: Kind
        public var forms: [String]
    }

    public static let wordSets: [WordSet] =
        spellings.map { WordSet(id: "spelling:\($0.0)", kind: .spelling, forms: [$0.0, $0.1]) }
        + variants.map { WordSet(id: "variant:\($0.0)", kind: .variant, forms: [$0.0, $0.1]) }

    /// Lower-cased single-word form → (set, form).
    static let words: [String: (set: Int, form: Int)] = {
        var table: [String: (set: Int, form: Int)] = [:]
        for (s, set) in wordSets.enumerated() {
            for (f, form) in set.forms.enumerated() where !form.contains(" ") { table[form] = (s, f) }
        }
        return table
    }()

    /// Lower-cased two-word form "first second" → (set, form).
    static let phrases: [String: (set: Int, form: Int)] = {
        var table: [String: (set: Int, form: Int)] = [:]
        for (s, set) in wordSets.enumerated() {
            for (f, form) in set.forms.enumerated() where form.contains(" ") { table[form] = (s, f) }
        }
        return table
    }()

    static let phraseStarts: Set<String> = Set(phrases.keys.map { String($0.split(separator: " ")[0]) })

    public static let bulletMarkers: [Character] = ["-", "*"]
    public static let numberedMarkers: [Character] = [".", ")"]
}
