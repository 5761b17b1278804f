import AsyncHTTPClient
import Foundation
import NIOCore

/// A reply as it came off the wire.
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends one request and returns the whole reply, or throws a `RequestFailure`.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestSpec, timeout: Double) async throws(RequestFailure) -> HTTPReply
}

/// `HTTPTransport` over AsyncHTTPClient. The timeout covers connecting, waiting and reading the
/// whole body, so a server that stalls mid-reply is given up on too.
public final class AsyncHTTPTransport: HTTPTransport {
    public static let maxBodyBytes = 64 << 20
    private let client: HTTPClient

    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.decompression = .enabled(limit: .ratio(100))
        // A failed connect fails the request at once: RetryPolicy decides what to retry (not a refused
        // connection), instead of the pool retrying for the whole connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    public func send(_ spec: HTTPRequestSpec, timeout: Double) async throws(RequestFailure) -> HTTPReply {
        var request = HTTPClientRequest(url: spec.url)
        request.method = .POST
        for (name, value) in spec.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: spec.body))
        let client = self.client
        let prepared = request
        do {
            return try await withThrowingTaskGroup(of: HTTPReply?.self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, timeout: .milliseconds(Int64(timeout * 1000) + 1000))
                    let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                    return HTTPReply(status: Int(response.status.code),
                                     headers: response.headers.map { ($0.name, $0.value) },
                                     body: Data(body.readableBytesView))
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let reply = first else {
                    throw RequestFailure.timeout(seconds: timeout)
                }
                return reply
            }
        } catch let failure as RequestFailure {
            throw failure
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timeout(seconds: timeout)
        } catch is CancellationError {
            throw .transport("cancelled")
        } catch {
            throw .transport(Self.describe(error, url: spec.url))
        }
    }

    /// A short message; a refused connection (NIO's message lists every address tried) becomes one line naming the address.
    static func describe(_ error: any Error, url: String) -> String {
        let text = describe(error)
        let lowered = text.lowercased()
        if lowered.contains("connection refused") || lowered.contains("connectionrefused") || lowered.contains("econnrefused") {
            let address = URL(string: url).map { "\($0.host ?? "?"):\($0.port.map(String.init) ?? ($0.scheme == "https" ? "443" : "80"))" } ?? url
            return RequestFailure.refused + address
        }
        return text
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}
