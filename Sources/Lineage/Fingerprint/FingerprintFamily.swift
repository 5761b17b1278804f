/// A feature family: one block of a fingerprint row.
public enum FingerprintFamily: String, CaseIterable, Codable, Sendable {
    case words, characters, openings, style, markers, identity

    /// The families whose cosines the attribution tests also read on their own ("views"): all but
    /// self-identity, which has its own test.
    public static let views: [FingerprintFamily] = [.words, .characters, .openings, .style, .markers]

    public func weight(in weights: FingerprintWeights) -> Float {
        switch self {
        case .words: weights.words
        case .characters: weights.characters
        case .openings: weights.openings
        case .style: weights.style
        case .markers: weights.markers
        case .identity: weights.identity
        }
    }
}
