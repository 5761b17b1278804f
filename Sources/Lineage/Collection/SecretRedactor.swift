import Foundation

/// Removes secrets (API keys) from any text before it is stored, logged or shown.
///
/// Keys travel only in HTTP headers, never in bodies or URLs; this is the second line of defence
/// for servers that echo a request back in an error, and for error messages of the HTTP stack.
public struct SecretRedactor: Sendable {
    public static let placeholder = "[REDACTED]"
    private let secrets: [String]

    /// Secrets shorter than 8 characters are ignored: redacting them would mangle ordinary text.
    public init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 8 })).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.placeholder) }
    }

    public func redact(_ text: String?) -> String? { text.map(redact) }
}
