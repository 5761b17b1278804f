import Foundation

/// One eligible spot in a text: a choice set, the form the text uses there, and the context that
/// keys the choice. The context is the previous `Canary.contextWords` words with every word of a
/// choice set written as its set's id, so it is the same whichever forms the text chose before.
public struct CanarySpot: Sendable, Equatable {
    public var setID: String
    public var kind: CanaryForms.Kind
    public var formCount: Int
    /// The form the text uses here.
    public var observed: Int
    public var context: [String]
    /// Per form, the edits (on the text's characters) that write it; the observed form's are empty.
    var edits: [[CanaryEdit]]

    /// What the key is applied to: the choice set and its context. A radioactivity test scores
    /// each distinct unit once.
    public var unit: String { setID + "\u{1F}" + context.joined(separator: " ") }
}

struct CanaryEdit: Sendable, Equatable {
    var range: Range<Int>
    var replacement: String
}

/// A text after a canary rewrite, with what it cost.
public struct CanaryRewrite: Sendable, Equatable {
    public var text: String
    /// Eligible spots found.
    public var spots: Int
    /// Spots whose form changed.
    public var changed: Int
    /// Whitespace-separated words of the input.
    public var words: Int
}

/// A keyed, meaning-preserving watermark for served answers (a text-level cousin of Kirchenbauer
/// et al.'s green lists): at each eligible spot the form is chosen by HMAC-SHA256 of the key, the
/// choice set and the preceding context. A student trained on such answers picks up the keyed
/// preferences; `RadioactivityTest` detects them with the key, exactly.
public enum Canary {
    /// Words of context before a spot that key its choice.
    public static let contextWords = 3

    /// The eligible spots of `text`, in order.
    public static func spots(in text: String) -> [CanarySpot] {
        var scanner = CanaryScanner(Array(text))
        return scanner.scan()
    }

    /// The text with every spot in its keyed form.
    public static func apply(_ text: String, key: CanaryKey) -> CanaryRewrite {
        rewrite(text) { key.choice(unit: $0.unit, count: $0.formCount) }
    }

    /// The text with every spot in its first form: two texts that differ only by canary choices
    /// have the same canonical text.
    public static func canonical(_ text: String) -> String {
        rewrite(text) { _ in 0 }.text
    }

    /// The text with each spot in the form `choose` picks.
    public static func rewrite(_ text: String, choose: (CanarySpot) -> Int) -> CanaryRewrite {
        let characters = Array(text)
        var scanner = CanaryScanner(characters)
        let spots = scanner.scan()
        var edits: [CanaryEdit] = []
        var changed = 0
        for spot in spots {
            let form = choose(spot)
            precondition(form >= 0 && form < spot.formCount, "a choice must name one of the spot's forms")
            if form != spot.observed {
                changed += 1
                edits += spot.edits[form]
            }
        }
        let words = text.split(whereSeparator: \.isWhitespace).count
        guard !edits.isEmpty else { return CanaryRewrite(text: text, spots: spots.count, changed: 0, words: words) }
        edits.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        var position = 0
        for edit in edits {
            precondition(edit.range.lowerBound >= position, "canary edits overlap")
            output.append(contentsOf: characters[position..<edit.range.lowerBound])
            output.append(edit.replacement)
            position = edit.range.upperBound
        }
        output.append(contentsOf: characters[position...])
        return CanaryRewrite(text: output, spots: spots.count, changed: changed, words: words)
    }
}

/// Finds the spots of one text: skips fenced and indented code, inline code, URLs and
/// identifiers; reads list markers at line starts and words, numbers and punctuation elsewhere.
struct CanaryScanner {
    let chars: [Character]
    private var spots: [CanarySpot] = []
    private var history: [String] = []

    init(_ chars: [Character]) { self.chars = chars }

    private struct Token {
        var range: Range<Int>
        var lower: String
        /// May be rewritten (not in an identifier, URL or hyphenated compound).
        var free: Bool
        var isNumber: Bool
    }

    private enum Element {
        case token(Token)
        case punctuation(Character, Int)
        case barrier
    }

    private struct OpenList {
        var kind: CanaryForms.Kind
        var indent: Int
        /// Positions of each item's marker character.
        var markers: [Int]
        var observed: Int?
        var mixed = false
        var context: [String]
    }

    mutating func scan() -> [CanarySpot] {
        var start = 0
        var inFence = false
        var list: OpenList?
        while start <= chars.count {
            var end = start
            while end < chars.count && chars[end] != "\n" { end += 1 }
            let line = start..<end
            let indent = chars[line].prefix { $0 == " " }.count
            let rest = String(chars[(start + min(indent, line.count))..<end])
            if rest.hasPrefix("```") || rest.hasPrefix("~~~") {
                inFence.toggle()
                closeList(&list)
            } else if inFence {
                // Code: neither rewritten nor context.
            } else if let item = listItem(line, indent: indent) {
                if let open = list, open.kind == item.kind, open.indent == indent {
                    list!.markers.append(item.marker)
                    if list!.observed != item.form { list!.mixed = true }
                } else {
                    closeList(&list)
                    list = OpenList(kind: item.kind, indent: indent, markers: [item.marker], observed: item.form,
                                    context: Array(history.suffix(Canary.contextWords)))
                }
                words(in: item.content..<end)
            } else if chars[line].first == "\t" || indent >= 4 {
                closeList(&list)
            } else {
                if !(chars[line].allSatisfy { $0 == " " }) { closeList(&list) }
                words(in: line)
            }
            start = end + 1
        }
        closeList(&list)
        return spots
    }

    /// A list item's marker ("- ", "* ", "1. ", "1) ") after the indentation.
    private func listItem(_ line: Range<Int>, indent: Int) -> (kind: CanaryForms.Kind, marker: Int, form: Int, content: Int)? {
        guard indent <= 3 else { return nil }
        let i = line.lowerBound + indent
        guard i + 1 < line.upperBound else { return nil }
        if let form = CanaryForms.bulletMarkers.firstIndex(of: chars[i]), chars[i + 1] == " " {
            return (.bulletMarker, i, form, i + 2)
        }
        var j = i
        while j < line.upperBound && j - i < 3 && chars[j].isASCII && chars[j].isNumber { j += 1 }
        if j > i, j + 1 < line.upperBound, let form = CanaryForms.numberedMarkers.firstIndex(of: chars[j]), chars[j + 1] == " " {
            return (.numberedMarker, j, form, j + 2)
        }
        return nil
    }

    private mutating func closeList(_ list: inout OpenList?) {
        defer { list = nil }
        guard let open = list, !open.mixed, let observed = open.observed else { return }
        let forms = open.kind == .bulletMarker ? CanaryForms.bulletMarkers : CanaryForms.numberedMarkers
        let edits = forms.indices.map { form in
            form == observed ? [] : open.markers.map { CanaryEdit(range: $0..<($0 + 1), replacement: String(forms[form])) }
        }
        spots.append(CanarySpot(setID: open.kind.rawValue, kind: open.kind, formCount: forms.count, observed: observed,
                                context: open.context, edits: edits))
    }

    private static let punctuation: Set<Character> = [",", ".", ";", ":", "!", "?", "(", ")", "\"", "“", "”"]
    private static let codeMarks: Set<Character> = ["_", "/", "\\", "@", "#", "=", "<", ">", "{", "}", "[", "]", "|", "~", "^", "&", "%", "*", "+", "$"]

    /// Tokens and punctuation of one stretch of a line, then its spots.
    private mutating func words(in range: Range<Int>) {
        var elements: [Element] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let c = chars[i]
            if c == "`" {
                var j = i + 1
                while j < range.upperBound && chars[j] != "`" { j += 1 }
                elements.append(.barrier)
                i = min(j + 1, range.upperBound)
                continue
            }
            if c.isLetter || c.isNumber {
                var j = i + 1
                let numeric = c.isNumber
                while j < range.upperBound {
                    let d = chars[j]
                    if numeric ? d.isNumber : (d.isLetter || d.isNumber) { j += 1; continue }
                    if !numeric, d == "'" || d == "’", j + 1 < range.upperBound, chars[j + 1].isLetter { j += 2; continue }
                    if numeric, d == ",",
                       (1...3).allSatisfy({ j + $0 < range.upperBound && chars[j + $0].isASCII && chars[j + $0].isNumber }),
                       !(j + 4 < range.upperBound && chars[j + 4].isNumber) {
                        j += 4; continue
                    }
                    break
                }
                elements.append(.token(Token(range: i..<j, lower: String(chars[i..<j]).lowercased(),
                                             free: isFree(i..<j, line: range), isNumber: numeric)))
                i = j
                continue
            }
            if Self.punctuation.contains(c) { elements.append(.punctuation(c, i)) }
            else if !c.isWhitespace { elements.append(.barrier) }
            i += 1
        }
        var index = 0
        while index < elements.count {
            guard case .token(let token) = elements[index] else { index += 1; continue }
            if token.free, CanaryForms.phraseStarts.contains(token.lower), index + 1 < elements.count,
               case .token(let next) = elements[index + 1], next.free, next.range.lowerBound == token.range.upperBound + 1,
               chars[token.range.upperBound] == " ", let entry = CanaryForms.phrases[token.lower + " " + next.lower] {
                wordSpot(entry, range: token.range.lowerBound..<next.range.upperBound)
                index += 2
                continue
            }
            if token.free, let entry = CanaryForms.words[token.lower] {
                wordSpot(entry, range: token.range)
            } else if token.isNumber {
                numberSpot(token)
            } else {
                if token.free, token.lower == "and" || token.lower == "or" { serialCommaSpot(elements, at: index) }
                history.append(token.lower)
            }
            index += 1
        }
    }

    /// Not part of an identifier, a path, a URL, an e-mail address or a hyphenated compound.
    private func isFree(_ token: Range<Int>, line: Range<Int>) -> Bool {
        var start = token.lowerBound, end = token.upperBound
        while start > line.lowerBound && !chars[start - 1].isWhitespace { start -= 1 }
        while end < line.upperBound && !chars[end].isWhitespace { end += 1 }
        let chunk = chars[start..<end]
        if chunk.contains(where: { Self.codeMarks.contains($0) }) { return false }
        if token.lowerBound > line.lowerBound, "-.'’".contains(chars[token.lowerBound - 1]) { return false }
        if token.upperBound < line.upperBound {
            let after = chars[token.upperBound]
            if after == "-" { return false }
            if after == "." || after == "'" || after == "’", token.upperBound + 1 < line.upperBound,
               chars[token.upperBound + 1].isLetter || chars[token.upperBound + 1].isNumber { return false }
        }
        return true
    }

    private mutating func wordSpot(_ entry: (set: Int, form: Int), range: Range<Int>) {
        let set = CanaryForms.wordSets[entry.set]
        let original = String(chars[range])
        let edits = set.forms.indices.map { form in
            form == entry.form ? [] : [CanaryEdit(range: range, replacement: Self.cased(set.forms[form], like: original))]
        }
        spots.append(CanarySpot(setID: set.id, kind: set.kind, formCount: set.forms.count, observed: entry.form,
                                context: Array(history.suffix(Canary.contextWords)), edits: edits))
        history.append("§" + set.id)
    }

    /// A number written with grouping commas (at least 4 digits): plain or grouped.
    private mutating func numberSpot(_ token: Token) {
        let digits = token.lower.filter { $0 != "," }
        history.append(digits)
        guard token.free, token.lower.contains(","), digits.count <= 15 else { return }
        if token.range.lowerBound > 0, chars[token.range.lowerBound - 1] == "." { return }
        if token.range.upperBound + 1 < chars.count, chars[token.range.upperBound] == ".", chars[token.range.upperBound + 1].isNumber { return }
        let grouped = Self.grouped(digits)
        guard grouped == token.lower else { return }
        // Form 0 is the plain number, so that a canonical text writes every number plain (a plain
        // number is no spot: it could be a year, a postcode or an identifier).
        spots.append(CanarySpot(setID: CanaryForms.Kind.digitGrouping.rawValue, kind: .digitGrouping, formCount: 2, observed: 1,
                                context: Array(history.dropLast().suffix(Canary.contextWords)),
                                edits: [[CanaryEdit(range: token.range, replacement: digits)], []]))
    }

    /// "A, B and C" / "A, B, and C": the comma before the last item of a list of three or more.
    private mutating func serialCommaSpot(_ elements: [Element], at index: Int) {
        guard index + 1 < elements.count, case .token = elements[index + 1], index >= 1 else { return }
        let conjunction: Token
        guard case .token(let c) = elements[index] else { return }
        conjunction = c
        var observed = 0
        var previous = index - 1
        var commaPosition: Int?
        if case .punctuation(",", let position) = elements[previous] {
            observed = 1
            commaPosition = position
            previous -= 1
        }
        guard previous >= 0, case .token(let last) = elements[previous] else { return }
        if let commaPosition {
            guard commaPosition == last.range.upperBound, chars[commaPosition + 1] == " ",
                  commaPosition + 2 == conjunction.range.lowerBound else { return }
        } else {
            guard chars[last.range.upperBound] == " ", last.range.upperBound + 1 == conjunction.range.lowerBound else { return }
        }
        // Back to the list's previous comma over one to three words, with a word before it. A
        // comma just before another "and"/"or" is that conjunction's own choice: it is skipped, so
        // that whether this spot is eligible does not depend on what was chosen there.
        var k = previous, words = 0
        while k >= 0 {
            if case .token = elements[k] { words += 1; k -= 1; continue }
            if case .punctuation(",", _) = elements[k], k + 1 < elements.count, case .token(let next) = elements[k + 1],
               next.lower == "and" || next.lower == "or" { k -= 1; continue }
            break
        }
        guard (1...3).contains(words), k >= 1, case .punctuation(",", _) = elements[k], case .token = elements[k - 1] else { return }
        let position = last.range.upperBound
        let edits: [[CanaryEdit]] = observed == 1
            ? [[CanaryEdit(range: position..<(position + 1), replacement: "")], []]
            : [[], [CanaryEdit(range: position..<position, replacement: ",")]]
        spots.append(CanarySpot(setID: CanaryForms.Kind.serialComma.rawValue, kind: .serialComma, formCount: 2, observed: observed,
                                context: Array(history.suffix(Canary.contextWords)), edits: edits))
    }

    static func grouped(_ digits: String) -> String {
        var result = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    static func cased(_ form: String, like original: String) -> String {
        if original.count > 1, original == original.uppercased(), original != original.lowercased() { return form.uppercased() }
        if let first = original.first, first.isUppercase { return form.prefix(1).uppercased() + form.dropFirst() }
        return form
    }
}
