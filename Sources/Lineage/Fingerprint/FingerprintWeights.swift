/// How much each feature family counts in a fingerprint. Each family's block is L2-normalised and
/// multiplied by its weight, so the cosine of two fingerprints is the weight²-weighted mean of the
/// families' cosines: lexical choice (words, character 4-grams) carries most, then format and
/// style, then openings, stock phrases and self-identity claims.
///
/// Fixed before Lineage was evaluated on lineage-dev, and not tuned on it.
public struct FingerprintWeights: Codable, Sendable, Equatable {
    public var words: Float = 1.0
    public var characters: Float = 1.0
    public var openings: Float = 0.5
    public var style: Float = 0.7
    public var markers: Float = 0.5
    public var identity: Float = 0.5

    public init() {}

    public init(words: Float, characters: Float, openings: Float, style: Float, markers: Float, identity: Float) {
        self.words = words
        self.characters = characters
        self.openings = openings
        self.style = style
        self.markers = markers
        self.identity = identity
    }

    /// Parses "words=1,style=0" (families not named keep their defaults).
    public init(parsing text: String) throws {
        self.init()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let value = Float(parts[1]), value >= 0 else {
                throw FingerprintError(description: "feature weight '\(item)' is not family=weight with a weight ≥ 0")
            }
            switch parts[0] {
            case "words": words = value
            case "characters": characters = value
            case "openings": openings = value
            case "style": style = value
            case "markers": markers = value
            case "identity": identity = value
            default:
                throw FingerprintError(description: "unknown feature family '\(parts[0])': use words, characters, openings, style, markers or identity")
            }
        }
    }

    public var description: String {
        "words \(words), character 4-grams \(characters), openings \(openings), style \(style), markers \(markers), identity \(identity)"
    }
}
