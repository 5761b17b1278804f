import Foundation

/// Removes what a model did not mean to say before its answer is featurised: chat-template
/// leftovers (`</s>`, `<|im_end|>`), role prefixes (`### Assistant:`), runaway fake next turns
/// (`### Human: ...`) and echoes of the probe. Each removal is counted by kind, so a result can say
/// what was stripped (`AttributionResult.cleaning`).
public struct ResponseCleaner: Sendable {
    public enum Removal: String, CaseIterable, Sendable {
        case templateLeftover = "chat-template leftover"
        case rolePrefix = "role prefix"
        case runawayTurn = "runaway next turn"
        case probeEcho = "probe echo"
        case emptyAfterCleaning = "empty after cleaning"
    }

    static let templateTokens = [
        "</s>", "<s>", "<|im_end|>", "<|im_start|>assistant", "<|im_start|>", "<|endoftext|>", "<|eot_id|>",
        "<|end|>", "<|assistant|>", "<|start_header_id|>assistant<|end_header_id|>", "[/INST]", "<eos>", "<end_of_turn>",
    ]
    /// Line openings that start a new (fake) turn of the user or the system.
    static let nextTurnMarkers = [
        "### human:", "### user:", "### instruction:", "human:", "user:", "<|user|>", "[inst]", "<|im_start|>user",
        "### input:", "<human>:",
    ]
    static let rolePrefixes = ["### assistant:", "### response:", "assistant:", "<bot>:", "gpt:"]

    public init() {}

    /// The cleaned text and what was removed from it.
    public func clean(_ text: String, prompt: String) -> (text: String, removals: [Removal]) {
        var removals: [Removal] = []
        var result = text
        for token in Self.templateTokens where Self.firstRange(of: token, in: result) != nil {
            result = result.replacingOccurrences(of: token, with: " ")
            if removals.last != .templateLeftover { removals.append(.templateLeftover) }
        }
        result = Self.trimmed(result)

        let lowered = result.prefix(24).lowercased()
        for prefix in Self.rolePrefixes where lowered.hasPrefix(prefix) {
            result = Self.trimmed(result.dropFirst(prefix.count))
            removals.append(.rolePrefix)
            break
        }

        if let cut = runawayTurnStart(in: result) {
            result = Self.trimmed(result[..<cut])
            removals.append(.runawayTurn)
        }

        let trimmedPrompt = Self.trimmed(prompt)
        if trimmedPrompt.count >= 12 {
            if result.hasPrefix(trimmedPrompt) {
                result = Self.trimmed(result.dropFirst(trimmedPrompt.count))
                removals.append(.probeEcho)
            } else if trimmedPrompt.count >= 40, let range = Self.firstRange(of: trimmedPrompt, in: result) {
                result.removeSubrange(range)
                result = Self.trimmed(result)
                removals.append(.probeEcho)
            }
        }
        if result.isEmpty, !Self.trimmed(text).isEmpty {
            removals.append(.emptyAfterCleaning)
        }
        return (result, removals)
    }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: ASCII whitespace is cut byte by byte, and
    /// Foundation is asked only when an end is not ASCII (where Unicode whitespace may sit).
    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        let string = String(text)
        let bytes = Array(string.utf8)
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var low = 0, high = bytes.count
        while low < high, isSpace(bytes[low]) { low += 1 }
        while high > low, isSpace(bytes[high - 1]) { high -= 1 }
        if low == high { return "" }
        guard bytes[low] < 0x80, bytes[high - 1] < 0x80 else { return string.trimmingCharacters(in: .whitespacesAndNewlines) }
        if low == 0 && high == bytes.count { return string }
        return String(decoding: bytes[low..<high], as: UTF8.self)
    }

    /// The first occurrence of `needle` in `haystack`, byte for byte in UTF-8 (`memchr` and `memcmp`): Foundation's
    /// `range(of:)` goes through UTF-16 and took a quarter of an attribution's run time.
    static func firstRange(of needle: String, in haystack: String) -> Range<String.Index>? {
        var haystack = haystack, needle = needle
        let offset: Int? = haystack.withUTF8 { h in
            needle.withUTF8 { n in
                guard !n.isEmpty, n.count <= h.count, let h0 = h.baseAddress, let n0 = n.baseAddress else { return nil }
                // memchr to each candidate first byte, memcmp for the rest.
                var start = 0
                let last = h.count - n.count
                while start <= last, let hit = memchr(h0 + start, Int32(n0.pointee), last - start + 1) {
                    let at = UnsafeRawPointer(h0).distance(to: UnsafeRawPointer(hit))
                    if memcmp(h0 + at, n0, n.count) == 0 { return at }
                    start = at + 1
                }
                return nil
            }
        }
        guard let offset else { return nil }
        let utf8 = haystack.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: offset)
        return lower..<utf8.index(lower, offsetBy: needle.utf8.count)
    }

    /// Where a fake next turn starts: a line (not the first) opening with a user-turn marker.
    ///
    /// Lines break where `Character("\n")` occurs (an LF byte not preceded by CR: CR LF is one
    /// Character). The lines are found by scanning bytes, and a line is read as Characters only when
    /// its first byte after spaces and tabs could open a marker (`#`, `h`, `u`, `<`, `[`, either case)
    /// or is not ASCII; walking the whole answer Character by Character took a tenth of featurising it.
    func runawayTurnStart(in text: String) -> String.Index? {
        var contiguous = text
        let breaks: [Int] = contiguous.withUTF8 { bytes in
            var found: [Int] = []
            var previous: UInt8 = 0
            for offset in 0..<bytes.count {
                let byte = bytes[offset]
                if byte == 0x0A && previous != 0x0D {
                    var first = offset + 1
                    while first < bytes.count, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
                    if first < bytes.count, Self.mayOpenMarker(bytes[first]) { found.append(offset) }
                }
                previous = byte
            }
            return found
        }
        guard !breaks.isEmpty else { return nil }
        let utf8 = text.utf8
        for offset in breaks {
            let lineStart = utf8.index(utf8.startIndex, offsetBy: offset + 1)
            let lineEnd = text[lineStart...].firstIndex(of: "\n") ?? text.endIndex
            let line = text[lineStart..<lineEnd].drop(while: { $0 == " " || $0 == "\t" }).prefix(24).lowercased()
            if Self.nextTurnMarkers.contains(where: { line.hasPrefix($0) }) { return lineStart }
        }
        return nil
    }

    /// Whether a line whose first byte (after spaces and tabs) is `byte` may open a next-turn marker.
    static func mayOpenMarker(_ byte: UInt8) -> Bool {
        byte >= 0x80 || nextTurnMarkerOpenings.contains(byte)
    }

    /// The first bytes of the markers, in either case.
    static let nextTurnMarkerOpenings: Set<UInt8> = Set(nextTurnMarkers.flatMap { marker -> [UInt8] in
        let first = Character(String(marker.first!))
        return [first.lowercased(), first.uppercased()].flatMap { Array($0.utf8) }
    })
}
