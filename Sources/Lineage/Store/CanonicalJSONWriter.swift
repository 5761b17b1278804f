/// Writes JSON bytes exactly as Foundation's `JSONEncoder` writes them with `.sortedKeys`
/// (and `.withoutEscapingSlashes` unless `escapesSlashes`), for the few fixed shapes whose hashes
/// the store keeps: a hash must not change when the code that computes it gets faster.
///
/// Callers write object keys in sorted order themselves. Tests compare every output with
/// `JSONEncoder`'s on random and adversarial inputs.
struct CanonicalJSONWriter {
    private(set) var bytes: [UInt8] = []
    /// GRDB stores JSON columns with `JSONEncoder`'s default, which writes "/" as "\/".
    let escapesSlashes: Bool

    init(escapesSlashes: Bool = false, capacity: Int = 256) {
        self.escapesSlashes = escapesSlashes
        bytes.reserveCapacity(capacity)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ ascii: StaticString) {
        ascii.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"key":` (the key is plain ASCII needing no escapes).
    mutating func key(_ key: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                // Multi-byte UTF-8 (>= 0x80) and printable ASCII other than `"`, `\`, `/` pass as they are.
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C && (byte != 0x2F || !escapesSlashes) { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                switch byte {
                case 0x22: bytes.append(0x5C); bytes.append(0x22)
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x2F: bytes.append(0x5C); bytes.append(0x2F)
                case 0x08: bytes.append(0x5C); bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(0x5C); bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
                default:
                    raw("\\u00")
                    bytes.append(Self.lowerHex[Int(byte >> 4)])
                    bytes.append(Self.lowerHex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { comma() }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A finite double as `JSONEncoder` writes it: Swift's shortest round-trip form, "1.0" as "1".
    mutating func double(_ value: Double) {
        precondition(value.isFinite, "JSON cannot hold \(value)")
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)
}

extension CanonicalJSONWriter {
    /// `{"max_tokens":…,"seed":…,"temperature":…,"top_p":…}`, nil fields left out.
    mutating func parameters(_ parameters: SamplingParameters) {
        raw("{")
        var empty = true
        if let maxTokens = parameters.maxTokens { key("max_tokens"); integer(maxTokens); empty = false }
        if let seed = parameters.seed {
            if !empty { comma() }
            key("seed"); integer(seed); empty = false
        }
        if let temperature = parameters.temperature {
            if !empty { comma() }
            key("temperature"); double(temperature); empty = false
        }
        if let topP = parameters.topP {
            if !empty { comma() }
            key("top_p"); double(topP)
        }
        raw("}")
    }

    /// `{"system":…,"turns":[…]}`, a nil system left out.
    mutating func probe(_ probe: ProbeContent) {
        raw("{")
        if let system = probe.system { key("system"); string(system); comma() }
        key("turns")
        strings(probe.turns)
        raw("}")
    }
}
