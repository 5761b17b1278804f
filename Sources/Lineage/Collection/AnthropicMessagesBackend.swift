import Foundation

/// Anthropic's Messages API (`POST {endpoint}/messages`, key in `x-api-key`).
/// It has no seed and no logprobs; `max_tokens` is required, so 1024 is sent when none is set.
public struct AnthropicMessagesBackend: ChatBackend {
    public static let apiVersion = "2023-06-01"
    public static let defaultMaxTokens = 1024

    public init() {}

    public func httpRequest(for request: ChatRequest, model: ModelConfiguration, apiKey: String?) -> HTTPRequestSpec {
        let messages = request.messages.map { message in
            WireJSON.object(["role": .string(message.role.rawValue), "content": .string(message.content)])
        }
        var body: [String: WireJSON] = [
            "model": .string(model.providerModelID),
            "messages": .array(messages),
            "max_tokens": .number(Double(request.parameters.maxTokens ?? Self.defaultMaxTokens)),
        ]
        if let system = request.system { body["system"] = .string(system) }
        if let value = request.parameters.temperature { body["temperature"] = .number(min(value, 1)) }
        if let value = request.parameters.topP { body["top_p"] = .number(value) }
        for (key, value) in model.extraBody { body[key] = value }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"),
                                                        ("anthropic-version", Self.apiVersion)]
        if let apiKey { headers.append(("x-api-key", apiKey)) }
        return HTTPRequestSpec(url: joinURL(model.endpoint, "messages"), headers: headers,
                               body: WireJSON.object(body).encoded())
    }

    public func parseReply(_ body: Data) throws -> ChatReply {
        let json = try decodeReplyJSON(body)
        guard let content = json["content"]?.array else { throw MalformedReply("no `content` list in the reply") }
        let text = content.filter { $0["type"]?.string == "text" }.compactMap { $0["text"]?.string }.joined()
        return ChatReply(text: text, finishReason: json["stop_reason"]?.string,
                         promptTokens: json["usage"]?["input_tokens"]?.int,
                         completionTokens: json["usage"]?["output_tokens"]?.int)
    }
}
