import Foundation
import Yams

/// Reads model configurations from a YAML file (`models:` list) or from a `key=value,...`
/// command-line spec, with the same keys and the same checks:
///
/// ```yaml
/// models:
///   - name: qwen                       # required: the name in the store and in reports
///     backend: openai                  # openai (default) | anthropic | gemini
///     endpoint: http://127.0.0.1:18082/v1
///     model: qwen2.5-coder-0.5b        # the provider's model id (default: name)
///     api_key_env: OPENAI_API_KEY      # variable holding the key (default per backend)
///     sampling: {temperature: 0.7, max_tokens: 256}
///     concurrency: 4
///     requests_per_minute: 60
///     tokens_per_minute: 100000
///     timeout: 120                     # seconds per HTTP request
///     max_attempts: 5
///     price: {input: 0.15, output: 0.60}   # USD per million tokens
///     extra_body: {cache_prompt: false}    # merged into every request body
/// ```
public enum ModelConfigurationLoader {
    static let keys = ["name", "backend", "endpoint", "model", "api_key_env", "sampling", "concurrency",
                       "requests_per_minute", "tokens_per_minute", "timeout", "max_attempts", "price", "extra_body"]

    public static func load(path: String) throws -> [ModelConfiguration] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ProbeSetError(file: path, "cannot read the model configuration file", fix: "check the path given to --config")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> [ModelConfiguration] {
        let root = try YAMLFields(try YAMLFields.root(of: text, file: file), file: file, path: "")
        try root.rejectUnknownKeys(["models"])
        guard let nodes = try root.sequence("models"), !nodes.isEmpty else {
            throw root.error("models", "missing or empty `models` list", fix: "list at least one model")
        }
        var models: [ModelConfiguration] = []
        for (index, node) in nodes.enumerated() {
            let model = try configuration(try YAMLFields(node, file: file, path: "models[\(index)]"))
            if models.contains(where: { $0.name == model.name }) {
                throw ProbeSetError(file: file, line: node.mark?.line, item: "model \(model.name)", field: "models[\(index)].name",
                                    "duplicate model name", fix: "give each model its own name")
            }
            models.append(model)
        }
        return models
    }

    /// A model from `name=qwen,backend=openai,endpoint=http://127.0.0.1:18082/v1,model=qwen`.
    public static func parse(spec: String) throws -> ModelConfiguration {
        var lines: [String] = []
        for pair in spec.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw ProbeSetError(file: "--model", "`\(pair)` is not key=value",
                                    fix: "write e.g. name=qwen,backend=openai,endpoint=http://127.0.0.1:18082/v1")
            }
            let key = pair[..<equals].trimmingCharacters(in: .whitespaces)
            let value = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !["sampling", "price", "extra_body"].contains(key) else {
                throw ProbeSetError(file: "--model", field: key, "`\(key)` cannot be given in a --model spec",
                                    fix: "use --temperature/--max-tokens/... options, or a --config file")
            }
            lines.append("\(key): \(value)")
        }
        return try configuration(try YAMLFields(try YAMLFields.root(of: lines.joined(separator: "\n"), file: "--model"),
                                                file: "--model", path: ""))
    }

    static func configuration(_ initial: YAMLFields) throws -> ModelConfiguration {
        var fields = initial
        let name = try fields.requireString("name", fix: "give the model a name, e.g. `qwen`")
        if let (scalar, position) = UnsafeCharacters.first(in: name) {
            throw fields.error("name", "the name holds \(UnsafeCharacters.describe(scalar)) at character \(position)",
                               node: fields.node("name"),
                               fix: "name the model without control characters or bidirectional overrides (they make a name show as another)")
        }
        fields.item = "model \(UnsafeCharacters.visible(name, keeping: []))"
        try fields.rejectUnknownKeys(keys)
        let backendName = try fields.string("backend") ?? BackendKind.openai.rawValue
        guard let backend = BackendKind(rawValue: backendName) else {
            throw fields.error("backend", "unknown backend `\(backendName)`", node: fields.node("backend"),
                               fix: "use one of \(BackendKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let endpoint = try fields.string("endpoint")
        if let endpoint {
            guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw fields.error("endpoint", "`\(endpoint)` is not an http(s) URL", node: fields.node("endpoint"),
                                   fix: "write the base URL, e.g. http://127.0.0.1:18081/v1")
            }
        }
        var price: TokenPrice?
        if let priceFields = try fields.fields("price") {
            try priceFields.rejectUnknownKeys(["input", "output"])
            price = TokenPrice(inputPerMillion: try priceFields.double("input", in: 0...1e6) ?? 0,
                               outputPerMillion: try priceFields.double("output", in: 0...1e6) ?? 0)
        }
        var extraBody: [String: WireJSON] = [:]
        if let extra = fields.node("extra_body") {
            guard case .object(let object) = try jsonValue(extra, fields, "extra_body") else {
                throw fields.error("extra_body", "expected a mapping", node: extra)
            }
            extraBody = object
        }
        return ModelConfiguration(
            name: name, backend: backend, endpoint: endpoint, providerModelID: try fields.string("model"),
            sampling: try fields.fields("sampling")?.sampling() ?? SamplingParameters(),
            apiKeyVariable: try fields.string("api_key_env"),
            concurrency: try fields.int("concurrency", in: 1...256) ?? 4,
            requestsPerMinute: try fields.int("requests_per_minute", in: 1...1_000_000),
            tokensPerMinute: try fields.int("tokens_per_minute", in: 1...1_000_000_000),
            timeoutSeconds: try fields.double("timeout", in: 0.001...86_400) ?? 120,
            maxAttempts: try fields.int("max_attempts", in: 1...100) ?? 5,
            price: price, extraBody: extraBody)
    }

    private static func jsonValue(_ node: Node, _ fields: YAMLFields, _ field: String) throws -> WireJSON {
        switch node {
        case .scalar(let scalar):
            switch YAMLFields.tagName(node) {
            case .null: return .null
            case .bool: return node.bool.map(WireJSON.bool) ?? .string(scalar.string)
            case .int, .float: return node.float.map(WireJSON.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence): return .array(try sequence.map { try jsonValue($0, fields, field) })
        case .mapping(let mapping):
            var object: [String: WireJSON] = [:]
            for (key, value) in mapping { object[key.string ?? ""] = try jsonValue(value, fields, field) }
            return .object(object)
        case .alias:
            throw fields.error(field, "YAML aliases are not supported here", node: node)
        }
    }
}
