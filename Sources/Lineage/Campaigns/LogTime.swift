import Foundation

/// Timestamps in logs: ISO 8601 UTC text (`2026-10-01T12:00:03.250Z`, offsets like `+02:00`
/// accepted) or numbers of seconds (or milliseconds, when larger than 10^11) since the epoch.
/// Written and parsed by hand: a formatter per line would dominate the cost of reading a log.
public enum LogTime {
    /// `2026-10-01T12:00:03.250Z` for `seconds` since the epoch (millisecond precision).
    public static func iso(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded())
        let days = Int64((Double(millis) / 86_400_000).rounded(.down))
        let rest = millis - days * 86_400_000
        let (y, m, d) = civil(days)
        let h = rest / 3_600_000, mi = rest / 60_000 % 60, s = rest / 1000 % 60, ms = rest % 1000
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(y)-\(two(m))-\(two(d))T\(two(h)):\(two(mi)):\(two(s)).\(msText)Z"
    }

    /// Seconds since the epoch, or nil when `text` is not an ISO 8601 date-time.
    public static func parse(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b.count >= 19, let y = digits(0, 4), b[4] == 45, let mo = digits(5, 2), b[7] == 45, let d = digits(8, 2),
              b[10] == 84 || b[10] == 32 || b[10] == 116, let h = digits(11, 2), b[13] == 58, let mi = digits(14, 2),
              b[16] == 58, let s = digits(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var index = 19
        var millis: Int64 = 0
        if index < b.count, b[index] == 46 {
            index += 1
            var digitsRead = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                if digitsRead < 3 { millis = millis * 10 + Int64(b[index] - 48) }
                digitsRead += 1
                index += 1
            }
            guard digitsRead > 0 else { return nil }
            for _ in digitsRead..<max(digitsRead, 3) { millis *= 10 }
        }
        var offset = 0
        if index < b.count {
            switch b[index] {
            case 90, 122: index += 1
            case 43, 45:
                let sign = b[index] == 43 ? 1 : -1
                guard let oh = digits(index + 1, 2) else { return nil }
                var om = 0
                if index + 3 < b.count, b[index + 3] == 58, let m = digits(index + 4, 2) { om = m; index += 6 }
                else if let m = digits(index + 3, 2) { om = m; index += 5 } else { index += 3 }
                offset = sign * (oh * 60 + om) * 60
            default: return nil
            }
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(Int64(y), Int64(mo), Int64(d))
        let whole = days * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)
        return Double(whole * 1000 + millis) / 1000
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
