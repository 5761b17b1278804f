import Foundation
import Testing
@testable import Lineage

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesWithinJitterBoundsAndStops() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 1, maxDelay: 10)
        let failure = RequestFailure.http(status: 503, detail: "", retryAfter: nil)
        for attempt in 1...5 {
            let step = min(10, pow(2, Double(attempt - 1)))
            #expect(policy.delay(after: failure, attempt: attempt, jitter: 0) == step / 2)
            #expect(policy.delay(after: failure, attempt: attempt, jitter: 0.999_999)! < step)
            #expect(policy.delay(after: failure, attempt: attempt, jitter: 0.999_999)! > step * 0.99)
        }
        #expect(policy.delay(after: failure, attempt: 6, jitter: 0.5) == nil, "no attempt left")
    }

    @Test func whatIsRetried() {
        let policy = RetryPolicy(maxAttempts: 3)
        let retried: [RequestFailure] = [.http(status: 429, detail: "", retryAfter: nil), .http(status: 500, detail: "", retryAfter: nil),
                                         .http(status: 502, detail: "", retryAfter: nil), .timeout(seconds: 1),
                                         .transport("reset"), .malformed("cut")]
        for failure in retried { #expect(policy.delay(after: failure, attempt: 1, jitter: 0) != nil, "\(failure)") }
        for status in [400, 401, 403, 404, 422] {
            #expect(policy.delay(after: .http(status: status, detail: "", retryAfter: nil), attempt: 1, jitter: 0) == nil)
        }
    }

    @Test func retryAfterIsHonoured() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.1, maxDelay: 1, maxRetryAfter: 100)
        #expect(policy.delay(after: .http(status: 429, detail: "", retryAfter: 7), attempt: 1, jitter: 0.5) == 7)
        #expect(policy.delay(after: .http(status: 429, detail: "", retryAfter: 1000), attempt: 1, jitter: 0.5) == 100)
        #expect(RetryPolicy.retryAfterSeconds("12") == 12)
        #expect(RetryPolicy.retryAfterSeconds(" 1.5 ") == 1.5)
        #expect(RetryPolicy.retryAfterSeconds("soon") == nil)
        #expect(RetryPolicy.retryAfterSeconds(nil) == nil)
        let now = Date(timeIntervalSince1970: 1_445_412_480)   // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.retryAfterSeconds("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30)
    }
}

@Suite struct RateWindowTests {
    @Test func requestsPerMinute() {
        var window = RateWindow(requestsPerMinute: 2, tokensPerMinute: nil)
        #expect(window.earliestStart(tokens: 1, now: 0) == 0)
        _ = window.record(tokens: 1, now: 0)
        _ = window.record(tokens: 1, now: 10)
        #expect(window.earliestStart(tokens: 1, now: 20) == 60)   // when the first leaves the window
        #expect(window.earliestStart(tokens: 1, now: 60.5) == 60.5)
    }

    @Test func tokensPerMinuteWithSettlement() {
        var window = RateWindow(requestsPerMinute: nil, tokensPerMinute: 100)
        let first = window.record(tokens: 60, now: 0)
        _ = window.record(tokens: 30, now: 10)
        #expect(window.earliestStart(tokens: 20, now: 20) == 60)   // 60 + 30 + 20 > 100 until the first expires
        window.settle(first, actualTokens: 50)                     // the reply used fewer than estimated
        #expect(window.earliestStart(tokens: 20, now: 20) == 20)
        #expect(window.earliestStart(tokens: 500, now: 20) == 70)  // bigger than the budget: waits for an empty window
    }

    /// Against a naive recount: over random traffic, no 60 s window admitted more than the limits.
    @Test func neverExceedsLimits() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("RateWindowTests.neverExceedsLimits seed \(seed)")
        var random = SeededGenerator(seed: seed)
        var window = RateWindow(requestsPerMinute: 7, tokensPerMinute: 1000)
        var sent: [(time: Double, tokens: Int)] = []
        var now = 0.0
        for _ in 0..<300 {
            now += Double(random.next() % 1000) / 100
            let tokens = Int(random.next() % 400) + 1
            now = window.earliestStart(tokens: tokens, now: now)
            _ = window.record(tokens: tokens, now: now)
            sent.append((now, tokens))
            let recent = sent.filter { $0.time + 60 > now }
            #expect(recent.count <= 7)
            #expect(recent.reduce(0) { $0 + $1.tokens } <= 1000)
        }
    }
}

@Suite struct ClosedPortTests {
    @Test func aClosedPortFailsAtOnceWithOneLineNamingTheAddress() async throws {
        let closed = ClosedPort()
        defer { closed.release() }
        let port = closed.port
        let transport = AsyncHTTPTransport()
        var failure: RequestFailure?
        do {
            _ = try await transport.send(HTTPRequestSpec(url: "http://127.0.0.1:\(port)/v1/chat/completions", headers: [], body: Data("{}".utf8)),
                                         timeout: 30)
        } catch {
            failure = error
        }
        await transport.shutdown()
        // Not a timeout (the pool no longer retries the connect for its whole timeout), and not retried by
        // the policy: the run fails at once. (No wall-clock bound here: a parallel test run can starve the event loop.)
        guard case .transport(let message)? = failure else {
            Issue.record("expected a transport failure, got \(String(describing: failure))")
            return
        }
        #expect(message == RequestFailure.refused + "127.0.0.1:\(port)")
        #expect(!failure!.isRetryable)
        #expect(RetryPolicy().delay(after: failure!, attempt: 1, jitter: 0) == nil)
        #expect(!failure!.description.contains("\n"))
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 that refuses connections: a socket bound to it but never listening. It stays
/// bound until `release()`, so no server of a test running in parallel can be given the same port
/// (closing the socket at once let the kernel hand the port to another test's server, which then
/// answered this test's request and lost one of its own).
final class ClosedPort: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { close(fd) }
}
