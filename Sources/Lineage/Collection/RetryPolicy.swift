import Foundation

/// Why one API call failed, and whether trying again can help.
public enum RequestFailure: Error, CustomStringConvertible, Hashable, Sendable {
    /// The server answered with a non-2xx status. `detail` is the start of the body, secrets removed.
    case http(status: Int, detail: String, retryAfter: Double?)
    case timeout(seconds: Double)
    /// The connection failed or closed early (refused, reset, body cut short).
    case transport(String)
    case malformed(String)

    /// 429, 5xx, timeouts, broken connections and malformed bodies may pass on a later attempt;
    /// other 4xx (bad request, bad key, unknown model) will not.
    public var isRetryable: Bool {
        switch self {
        case .http(let status, _, _): status == 429 || status == 408 || status >= 500
        case .transport(let message): !message.hasPrefix(Self.refused)
        case .timeout, .malformed: true
        }
    }

    /// How a refused connection's message starts: nothing listens at the address, so trying again
    /// at once cannot help (a run against a closed port fails fast instead of backing off).
    public static let refused = "refused: nothing listens at "

    public var retryAfter: Double? {
        if case .http(_, _, let retryAfter) = self { return retryAfter }
        return nil
    }

    public var description: String {
        switch self {
        case .http(let status, let detail, _): "HTTP \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .timeout(let seconds): "no complete reply within \(String(format: "%g", seconds)) s (timeout)"
        case .transport(let message) where message.hasPrefix(Self.refused):
            "connection " + message + " (is the server running, and is the endpoint's host and port right?)"
        case .transport(let message): "connection failed: \(message)"
        case .malformed(let message): "malformed reply: \(message)"
        }
    }
}

/// Exponential backoff with full jitter, honouring the server's Retry-After.
public struct RetryPolicy: Hashable, Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// Longest Retry-After honoured as given; longer ones are capped here.
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 5, baseDelay: Double = 1, maxDelay: Double = 60, maxRetryAfter: Double = 300) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Seconds to wait before attempt `attempt + 1` after `failure` on attempt `attempt` (1-based),
    /// or nil when no attempt is left or retrying cannot help. `jitter` is a draw from [0, 1).
    public func delay(after failure: RequestFailure, attempt: Int, jitter: Double) -> Double? {
        guard failure.isRetryable, attempt < maxAttempts else { return nil }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        let backoff = ceiling * (0.5 + 0.5 * jitter)   // "equal jitter": never less than half the step
        if let retryAfter = failure.retryAfter { return max(min(retryAfter, maxRetryAfter), backoff) }
        return backoff
    }

    /// Seconds from a Retry-After header: delta-seconds or an HTTP date.
    public static func retryAfterSeconds(_ header: String?, now: Date = Date()) -> Double? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Double(header), seconds.isFinite { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: header) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
