/// A fixed 64-bit hash of bytes (FNV-1a, then a SplitMix64 finaliser for good low and high
/// bits). Unlike Swift's `Hasher` it is the same in every process, which shard summaries need:
/// sketches built on different machines must agree.
public enum StableHash {
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static func of<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = 0) -> UInt64 where Bytes.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return mix(h)
    }

    public static func of(_ text: String, seed: UInt64 = 0) -> UInt64 {
        var text = text
        return text.withUTF8 { bytes in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
            for index in 0..<bytes.count { h = (h ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01B3 }
            return mix(h)
        }
    }

    /// 16 hex digits, for hashes written into summaries.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
