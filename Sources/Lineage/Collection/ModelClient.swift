import Foundation

/// The result of asking one probe of one model: every assistant turn, or the failure that stopped it.
public struct ConversationOutcome: Sendable {
    /// The assistant's answers, one per user turn that was answered.
    public var turns: [String] = []
    /// Request bodies as sent and reply bodies as received, one per API call that got that far
    /// (the last attempt of each call), secrets removed.
    public var requestBodies: [String] = []
    public var responseBodies: [String] = []
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Log-probabilities per turn, where asked for and returned.
    public var logprobs: [WireJSON] = []
    public var startedAt = Date()
    public var finishedAt = Date()
    /// Why the conversation stopped short (after all retries), nil when every turn was answered.
    public var failure: RequestFailure?
    /// API calls made, retries included.
    public var attempts = 0

    public var latencyMilliseconds: Double { finishedAt.timeIntervalSince(startedAt) * 1000 }
}

/// Talks to one model: builds each request in the model's wire format, passes the rate and
/// concurrency gate, retries what may pass on a later attempt, and redacts secrets from all it returns.
public struct ModelClient: Sendable {
    public let model: ModelConfiguration
    public let transport: any HTTPTransport
    public let gate: RequestGate
    public let retry: RetryPolicy
    public let logprobs: Int?
    private let apiKey: String?
    private let redactor: SecretRedactor
    private let backend: any ChatBackend

    public init(model: ModelConfiguration, apiKey: String?, transport: any HTTPTransport,
                retry: RetryPolicy? = nil, logprobs: Int? = nil, redactor: SecretRedactor? = nil) {
        self.model = model
        self.apiKey = apiKey
        self.transport = transport
        self.retry = retry ?? RetryPolicy(maxAttempts: model.maxAttempts)
        self.logprobs = logprobs
        self.redactor = redactor ?? SecretRedactor(secrets: apiKey.map { [$0] } ?? [])
        backend = model.backend.wireFormat
        gate = RequestGate(concurrency: model.concurrency, requestsPerMinute: model.requestsPerMinute,
                           tokensPerMinute: model.tokensPerMinute)
    }

    /// Asks `probe` turn by turn, each user turn with the model's own earlier answers before it.
    /// `notice` receives one line per retry (already redacted).
    public func converse(_ probe: ProbeContent, parameters: SamplingParameters, jitterSeed: UInt64,
                         notice: @Sendable (String) -> Void = { _ in }) async -> ConversationOutcome {
        await gate.enter()
        var outcome = ConversationOutcome()
        var messages: [ChatMessage] = []
        for userTurn in probe.turns {
            messages.append(ChatMessage(.user, userTurn))
            let request = ChatRequest(system: probe.system, messages: messages, parameters: parameters, logprobs: logprobs)
            let spec = backend.httpRequest(for: request, model: model, apiKey: apiKey)
            outcome.requestBodies.append(redactor.redact(String(decoding: spec.body, as: UTF8.self)))
            var attempt = 0
            var reply: ChatReply?
            while reply == nil {
                attempt += 1
                outcome.attempts += 1
                let estimate = Self.estimatedTokens(request)
                let ticket: Int
                do { ticket = try await gate.admit(tokens: estimate) } catch {
                    outcome.failure = .transport("cancelled")
                    break
                }
                let failure: RequestFailure
                do {
                    let http = try await transport.send(spec, timeout: model.timeoutSeconds)
                    let body = redactor.redact(String(decoding: http.body, as: UTF8.self))
                    if (200..<300).contains(http.status) {
                        do {
                            // Read from the body as received (redacting a short key in the body could
                            // break its JSON), then redact every field taken from it.
                            let parsed = Self.redacted(try backend.parseReply(http.body), redactor)
                            await gate.settle(ticket, actualTokens: (parsed.promptTokens ?? 0) + (parsed.completionTokens ?? 0))
                            Self.record(body, into: &outcome.responseBodies, turn: messages.count / 2)
                            reply = parsed
                            continue
                        } catch {
                            failure = .malformed(redactor.redact((error as? MalformedReply)?.problem ?? "\(error)"))
                        }
                    } else {
                        failure = .http(status: http.status, detail: String(body.prefix(500)),
                                        retryAfter: RetryPolicy.retryAfterSeconds(http.header("Retry-After")))
                    }
                    Self.record(body, into: &outcome.responseBodies, turn: messages.count / 2)
                } catch {
                    failure = Self.redacted(error, redactor)
                }
                var jitterSource = SeededGenerator(seed: jitterSeed &+ UInt64(outcome.attempts))
                let jitter = Double(jitterSource.next() >> 11) * 0x1.0p-53
                guard let delay = retry.delay(after: failure, attempt: attempt, jitter: jitter) else {
                    outcome.failure = failure
                    break
                }
                notice("\(failure); retrying in \(String(format: "%.1f", delay)) s (attempt \(attempt + 1) of \(retry.maxAttempts))")
                do { try await Task.sleep(for: .seconds(delay)) } catch {
                    outcome.failure = failure
                    break
                }
            }
            guard let reply else { break }
            messages.append(ChatMessage(.assistant, reply.text))
            outcome.turns.append(reply.text)
            outcome.finishReason = reply.finishReason
            if let tokens = reply.promptTokens { outcome.promptTokens = (outcome.promptTokens ?? 0) + tokens }
            if let tokens = reply.completionTokens { outcome.completionTokens = (outcome.completionTokens ?? 0) + tokens }
            if let logprobs = reply.logprobs { outcome.logprobs.append(logprobs) }
        }
        await gate.release()
        outcome.finishedAt = Date()
        return outcome
    }

    /// Keeps only the last reply body of each turn (a retried call replaces its earlier attempt).
    private static func record(_ body: String, into bodies: inout [String], turn: Int) {
        if bodies.count > turn { bodies[turn] = body } else { bodies.append(body) }
    }

    private static func redacted(_ reply: ChatReply, _ redactor: SecretRedactor) -> ChatReply {
        var reply = reply
        reply.text = redactor.redact(reply.text)
        reply.finishReason = redactor.redact(reply.finishReason)
        reply.logprobs = reply.logprobs.map { redactor.redact($0) }
        return reply
    }

    private static func redacted(_ failure: RequestFailure, _ redactor: SecretRedactor) -> RequestFailure {
        switch failure {
        case .transport(let message): .transport(redactor.redact(message))
        case .malformed(let message): .malformed(redactor.redact(message))
        case .http(let status, let detail, let retryAfter): .http(status: status, detail: redactor.redact(detail), retryAfter: retryAfter)
        case .timeout: failure
        }
    }

    /// A rough token count for rate limiting and dry-run estimates: 4 characters a token for the
    /// prompt, plus the most the answer may take.
    public static func estimatedTokens(_ request: ChatRequest) -> Int {
        let characters = (request.system?.count ?? 0) + request.messages.reduce(0) { $0 + $1.content.count }
        return characters / 4 + 8 * (request.messages.count + 1) + (request.parameters.maxTokens ?? 512)
    }
}
