import Foundation

/// Google's Gemini API (`POST {endpoint}/models/{model}:generateContent`, key in `x-goog-api-key`,
/// never in the URL, so that it cannot leak into a stored request or a log).
public struct GeminiBackend: ChatBackend {
    public init() {}

    public func httpRequest(for request: ChatRequest, model: ModelConfiguration, apiKey: String?) -> HTTPRequestSpec {
        let contents = request.messages.map { message in
            WireJSON.object(["role": .string(message.role == .assistant ? "model" : "user"),
                              "parts": .array([.object(["text": .string(message.content)])])])
        }
        var generation: [String: WireJSON] = [:]
        let parameters = request.parameters
        if let value = parameters.temperature { generation["temperature"] = .number(value) }
        if let value = parameters.topP { generation["topP"] = .number(value) }
        if let value = parameters.maxTokens { generation["maxOutputTokens"] = .number(Double(value)) }
        if let value = parameters.seed { generation["seed"] = .number(Double(value)) }
        if let count = request.logprobs {
            generation["responseLogprobs"] = .bool(true)
            if count > 0 { generation["logprobs"] = .number(Double(count)) }
        }
        var body: [String: WireJSON] = ["contents": .array(contents)]
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        if let system = request.system {
            body["systemInstruction"] = .object(["parts": .array([.object(["text": .string(system)])])])
        }
        for (key, value) in model.extraBody { body[key] = value }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let apiKey { headers.append(("x-goog-api-key", apiKey)) }
        return HTTPRequestSpec(url: joinURL(model.endpoint, "models/\(model.providerModelID):generateContent"),
                               headers: headers, body: WireJSON.object(body).encoded())
    }

    public func parseReply(_ body: Data) throws -> ChatReply {
        let json = try decodeReplyJSON(body)
        guard let candidate = json["candidates"]?[0] else {
            // A blocked prompt is an answer of sorts (and an identity signal), not a failure.
            if let reason = json["promptFeedback"]?["blockReason"]?.string {
                return ChatReply(text: "", finishReason: "PROMPT_BLOCKED: \(reason)",
                                 promptTokens: json["usageMetadata"]?["promptTokenCount"]?.int, completionTokens: 0)
            }
            throw MalformedReply("no `candidates[0]` in the reply")
        }
        let parts = candidate["content"]?["parts"]?.array ?? []
        let text = parts.compactMap { $0["text"]?.string }.joined()
        return ChatReply(text: text, finishReason: candidate["finishReason"]?.string,
                         promptTokens: json["usageMetadata"]?["promptTokenCount"]?.int,
                         completionTokens: json["usageMetadata"]?["candidatesTokenCount"]?.int,
                         logprobs: candidate["logprobsResult"])
    }
}
