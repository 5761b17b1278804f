import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on loopback (SwiftNIO) that answers each request as a script says:
/// a reply in some API's wire format, an error status, a stalled connection, or a body cut short.
/// It stands in for the hosted APIs (Anthropic, Gemini, OpenAI) that cannot be reached from here.
final class ScriptedHTTPServer: @unchecked Sendable {
    enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: String)
        /// Read the request and never answer (the client must time out).
        case stall
        /// Announce `declaredLength` bytes, send `body` (shorter), then close the connection.
        case truncate(body: String, declaredLength: Int)
    }

    struct Received: Sendable {
        var method: String
        var uri: String
        var headers: [(name: String, value: String)]
        var body: String
        var at = Date()

        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
    }

    private let script: @Sendable (_ index: Int, _ request: Received) -> Action
    private let lock = NSLock()
    private var requests: [Received] = []
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var received: [Received] {
        lock.lock(); defer { lock.unlock() }
        return requests
    }

    init(script: @escaping @Sendable (_ index: Int, _ request: Received) -> Action) {
        self.script = script
    }

    static func start(script: @escaping @Sendable (_ index: Int, _ request: Received) -> Action) async throws -> ScriptedHTTPServer {
        let server = ScriptedHTTPServer(script: script)
        let channel = try await ServerBootstrap(group: server.group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        server.channel = channel
        server.port = channel.localAddress?.port ?? 0
        return server
    }

    func stop() async {
        try? await channel?.close()
        try? await group.shutdownGracefully()
    }

    fileprivate func next(_ request: Received) -> Action {
        lock.lock()
        let index = requests.count
        requests.append(request)
        lock.unlock()
        return script(index, request)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: ScriptedHTTPServer
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(server: ScriptedHTTPServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                body.clear()
            case .body(var part):
                body.writeBuffer(&part)
            case .end:
                guard let head else { return }
                let request = Received(method: "\(head.method)", uri: head.uri,
                                       headers: head.headers.map { ($0.name, $0.value) },
                                       body: body.getString(at: body.readerIndex, length: body.readableBytes) ?? "")
                switch server.next(request) {
                case .respond(let status, let extra, let text):
                    var headers = HTTPHeaders(extra)
                    headers.replaceOrAdd(name: "Content-Length", value: "\(text.utf8.count)")
                    headers.replaceOrAdd(name: "Content-Type", value: "application/json")
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status),
                                                                          headers: headers))), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                case .stall:
                    break
                case .truncate(let text, let declared):
                    let headers = HTTPHeaders([("Content-Length", "\(declared)"), ("Content-Type", "application/json")])
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                                  promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                    context.close(promise: nil)
                }
            }
        }
    }
}

/// Minimal correct replies in each API's wire format.
enum WireReplies {
    static func openAI(_ text: String, promptTokens: Int = 12, completionTokens: Int = 5) -> String {
        json(["id": "chatcmpl-1", "object": "chat.completion",
              "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop",
                           "logprobs": ["content": [["token": "Hi", "logprob": -0.25, "top_logprobs": []]]]]],
              "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens]])
    }

    static func anthropic(_ text: String) -> String {
        json(["id": "msg_1", "type": "message", "role": "assistant",
              "content": [["type": "text", "text": text]], "stop_reason": "end_turn",
              "usage": ["input_tokens": 12, "output_tokens": 5]])
    }

    static func gemini(_ text: String) -> String {
        json(["candidates": [["content": ["role": "model", "parts": [["text": text]]], "finishReason": "STOP"]],
              "usageMetadata": ["promptTokenCount": 12, "candidatesTokenCount": 5]])
    }

    static func json(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }
}
