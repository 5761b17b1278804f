import Foundation
import Testing
@testable import Lineage

/// Request bodies and reply parsing of each backend, checked against the APIs' documented shapes.
@Suite struct WireFormatTests {
    static let key = "sk-wire-format-secret-0123456789"
    static let request = ChatRequest(
        system: "Be brief.",
        messages: [ChatMessage(.user, "Hi"), ChatMessage(.assistant, "Hello!"), ChatMessage(.user, "Who made you?")],
        parameters: SamplingParameters(temperature: 0.5, topP: 0.9, maxTokens: 32, seed: 7), logprobs: 2)

    static func object(_ spec: HTTPRequestSpec) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: spec.body) as? [String: Any])
    }

    @Test func openAI() throws {
        let model = ModelConfiguration(name: "m", backend: .openai, endpoint: "http://127.0.0.1:1/v1/", providerModelID: "gpt-x",
                                       extraBody: ["cache_prompt": .bool(false)])
        let spec = OpenAIChatBackend().httpRequest(for: Self.request, model: model, apiKey: Self.key)
        #expect(spec.url == "http://127.0.0.1:1/v1/chat/completions")
        #expect(spec.headers.contains { $0.name == "Authorization" && $0.value == "Bearer \(Self.key)" })
        let body = try Self.object(spec)
        #expect(body["model"] as? String == "gpt-x")
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages.map { $0["role"]! } == ["system", "user", "assistant", "user"])
        #expect(messages.map { $0["content"]! } == ["Be brief.", "Hi", "Hello!", "Who made you?"])
        #expect(body["temperature"] as? Double == 0.5)
        #expect(body["top_p"] as? Double == 0.9)
        #expect(body["max_tokens"] as? Int == 32)
        #expect(body["seed"] as? Int == 7)
        #expect(body["logprobs"] as? Bool == true)
        #expect(body["top_logprobs"] as? Int == 2)
        #expect(body["cache_prompt"] as? Bool == false)
        #expect(!String(decoding: spec.body, as: UTF8.self).contains(Self.key))

        let reply = try OpenAIChatBackend().parseReply(Data(WireReplies.openAI("I am a model.", promptTokens: 20, completionTokens: 4).utf8))
        #expect(reply.text == "I am a model.")
        #expect(reply.finishReason == "stop")
        #expect(reply.promptTokens == 20 && reply.completionTokens == 4)
        #expect(reply.logprobs?["content"]?[0]?["logprob"]?.number == -0.25)
    }

    @Test func anthropic() throws {
        let model = ModelConfiguration(name: "c", backend: .anthropic, endpoint: "http://127.0.0.1:1/v1", providerModelID: "claude-x")
        var request = Self.request
        request.parameters.maxTokens = nil
        let spec = AnthropicMessagesBackend().httpRequest(for: request, model: model, apiKey: Self.key)
        #expect(spec.url == "http://127.0.0.1:1/v1/messages")
        #expect(spec.headers.contains { $0.name == "x-api-key" && $0.value == Self.key })
        #expect(spec.headers.contains { $0.name == "anthropic-version" })
        let body = try Self.object(spec)
        #expect(body["system"] as? String == "Be brief.")
        #expect(body["max_tokens"] as? Int == AnthropicMessagesBackend.defaultMaxTokens)
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages.map { $0["role"]! } == ["user", "assistant", "user"])
        #expect(body["seed"] == nil && body["logprobs"] == nil)
        #expect(!String(decoding: spec.body, as: UTF8.self).contains(Self.key))

        let reply = try AnthropicMessagesBackend().parseReply(Data(WireReplies.anthropic("I am Claude.").utf8))
        #expect(reply.text == "I am Claude.")
        #expect(reply.finishReason == "end_turn")
        #expect(reply.promptTokens == 12 && reply.completionTokens == 5)
    }

    @Test func gemini() throws {
        let model = ModelConfiguration(name: "g", backend: .gemini, endpoint: "http://127.0.0.1:1/v1beta", providerModelID: "gemini-x")
        let spec = GeminiBackend().httpRequest(for: Self.request, model: model, apiKey: Self.key)
        #expect(spec.url == "http://127.0.0.1:1/v1beta/models/gemini-x:generateContent")
        #expect(!spec.url.contains(Self.key))
        #expect(spec.headers.contains { $0.name == "x-goog-api-key" && $0.value == Self.key })
        let body = try Self.object(spec)
        let contents = try #require(body["contents"] as? [[String: Any]])
        #expect(contents.map { $0["role"] as? String } == ["user", "model", "user"])
        let system = try #require(body["systemInstruction"] as? [String: Any])
        #expect(((system["parts"] as? [[String: String]])?.first?["text"]) == "Be brief.")
        let generation = try #require(body["generationConfig"] as? [String: Any])
        #expect(generation["maxOutputTokens"] as? Int == 32)
        #expect(generation["topP"] as? Double == 0.9)
        #expect(generation["seed"] as? Int == 7)
        #expect(generation["responseLogprobs"] as? Bool == true)

        let reply = try GeminiBackend().parseReply(Data(WireReplies.gemini("I am Gemini.").utf8))
        #expect(reply.text == "I am Gemini.")
        #expect(reply.finishReason == "STOP")
        #expect(reply.completionTokens == 5)
        let blocked = try GeminiBackend().parseReply(Data(#"{"promptFeedback":{"blockReason":"SAFETY"}}"#.utf8))
        #expect(blocked.text == "" && blocked.finishReason == "PROMPT_BLOCKED: SAFETY")
    }

    @Test(arguments: ["", "{", "[]", #"{"choices":[]}"#, #"{"choices":[{"message":{"content":7}}]}"#])
    func malformedOpenAIRepliesAreErrors(_ body: String) {
        #expect(throws: MalformedReply.self) { try OpenAIChatBackend().parseReply(Data(body.utf8)) }
    }

    @Test func malformedOtherReplies() {
        #expect(throws: MalformedReply.self) { try AnthropicMessagesBackend().parseReply(Data(#"{"type":"message"}"#.utf8)) }
        #expect(throws: MalformedReply.self) { try GeminiBackend().parseReply(Data(#"{"candidates":[]}"#.utf8)) }
        #expect(throws: MalformedReply.self) { try GeminiBackend().parseReply(Data(#"{"candidates":[{"content""#.utf8)) }
    }
}
