import Foundation

/// Requests and tokens sent to one model in the last minute, and how long to wait before the next.
///
/// A request reserves its estimated tokens when it starts; when the reply tells the real count,
/// `settle` corrects the window.
public struct RateWindow: Sendable {
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    private var entries: [(id: Int, time: Double, tokens: Int)] = []
    private var nextID = 0
    static let window = 60.0

    public init(requestsPerMinute: Int?, tokensPerMinute: Int?) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// The earliest time, not before `now`, at which a request of `tokens` fits both limits.
    /// A request sent at `t` counts against the limits during [t, t + 60); times are compared in
    /// that one form, so waiting until the returned time always clears the entries it waited for.
    public mutating func earliestStart(tokens: Int, now: Double) -> Double {
        entries.removeAll { $0.time + Self.window <= now }
        var start = now
        if let limit = requestsPerMinute, entries.count >= limit {
            start = max(start, entries[entries.count - limit].time + Self.window)
        }
        if let limit = tokensPerMinute {
            // A request bigger than the whole budget waits for an empty window, then goes alone.
            let needed = min(tokens, limit)
            var used = entries.reduce(0) { $0 + $1.tokens }
            for entry in entries where used + needed > limit {
                used -= entry.tokens
                start = max(start, entry.time + Self.window)
            }
        }
        return start
    }

    /// Records a request sent at `now`; returns its id for `settle`.
    public mutating func record(tokens: Int, now: Double) -> Int {
        nextID += 1
        entries.append((nextID, now, tokens))
        return nextID
    }

    public mutating func settle(_ id: Int, actualTokens: Int) {
        if let index = entries.firstIndex(where: { $0.id == id }) { entries[index].tokens = actualTokens }
    }
}

/// Per-model gate: at most `concurrency` requests in flight, within the rate limits.
public actor RequestGate {
    private var window: RateWindow
    private let concurrency: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    public init(concurrency: Int, requestsPerMinute: Int?, tokensPerMinute: Int?) {
        self.concurrency = max(1, concurrency)
        window = RateWindow(requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute)
        origin = clock.now
    }

    private var now: Double {
        let elapsed = clock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Takes a concurrency slot (hold it for the whole conversation; release with `release`).
    public func enter() async {
        if inFlight < concurrency {
            inFlight += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }   // the slot is handed over by `release`
    }

    public func release() {
        if waiters.isEmpty { inFlight -= 1 } else { waiters.removeFirst().resume() }
    }

    /// Waits until a request of about `tokens` tokens fits the rate limits; returns its ticket.
    public func admit(tokens: Int) async throws -> Int {
        while true {
            let current = now
            let start = window.earliestStart(tokens: tokens, now: current)
            if start <= current { return window.record(tokens: tokens, now: current) }
            try await Task.sleep(for: .seconds(start - current))
        }
    }

    public func settle(_ ticket: Int, actualTokens: Int) {
        window.settle(ticket, actualTokens: actualTokens)
    }
}
