/// Bech32 (BIP 173, not Bech32m) as age uses it for keys: without BIP 173's 90-character limit,
/// lowercase or uppercase but never mixed.
enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
    /// Longer strings are refused before any work: age keys are far shorter.
    private static let maximumLength = 1024

    /// Encodes `bytes` under the human-readable part `hrp`; uppercase when `hrp` is uppercase.
    static func encode(hrp: String, bytes: [UInt8]) -> String {
        let lowerHRP = hrp.lowercased()
        let values = regroup(bytes, from: 8, to: 5, pad: true) ?? []
        let checksum = checksum(hrp: Array(lowerHRP.utf8), values: values)
        var text = lowerHRP + "1"
        text += String(decoding: (values + checksum).map { alphabet[Int($0)] }, as: UTF8.self)
        return hrp == hrp.uppercased() && hrp != lowerHRP ? text.uppercased() : text
    }

    /// Decodes a bech32 string into its human-readable part (as written) and bytes.
    static func decode(_ text: String) throws(AgeError) -> (hrp: String, bytes: [UInt8]) {
        let raw = Array(text.utf8)
        guard raw.count <= maximumLength, raw.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { throw .malformedKey }
        let hasLower = raw.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        let hasUpper = raw.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        guard !(hasLower && hasUpper) else { throw .malformedKey }
        let lower = raw.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")), separator >= 1,
              lower.count - separator - 1 >= 6
        else { throw .malformedKey }
        let hrp = Array(lower[..<separator])
        var values: [UInt8] = []
        for character in lower[(separator + 1)...] {
            guard let value = alphabet.firstIndex(of: character) else { throw .malformedKey }
            values.append(UInt8(value))
        }
        guard polymod(expand(hrp) + values) == 1 else { throw .malformedKey }
        guard let bytes = regroup(values.dropLast(6), from: 5, to: 8, pad: false) else { throw .malformedKey }
        return (String(decoding: raw[..<separator], as: UTF8.self), bytes)
    }

    private static func checksum(hrp: [UInt8], values: [UInt8]) -> [UInt8] {
        let residue = polymod(expand(hrp) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        return (0..<6).map { UInt8((residue >> (5 * (5 - UInt32($0)))) & 31) }
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var check: UInt32 = 1
        for value in values {
            let top = check >> 25
            check = (check & 0x1ff_ffff) << 5 ^ UInt32(value)
            for bit in 0..<5 where (top >> UInt32(bit)) & 1 == 1 {
                check ^= generator[bit]
            }
        }
        return check
    }

    /// Regroups bits between word sizes; without padding, refuses leftovers that are a whole
    /// word or non-zero (the one canonical encoding).
    private static func regroup(_ input: some Collection<UInt8>, from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0
        var bits = 0
        var output: [UInt8] = []
        let mask = (1 << to) - 1
        for value in input {
            guard Int(value) >> from == 0 else { return nil }
            accumulator = (accumulator << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                output.append(UInt8((accumulator >> bits) & mask))
            }
            accumulator &= (1 << bits) - 1
        }
        if pad {
            if bits > 0 { output.append(UInt8((accumulator << (to - bits)) & mask)) }
        } else if bits >= from || (accumulator << (to - bits)) & mask != 0 {
            return nil
        }
        return output
    }
}
