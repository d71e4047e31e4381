/// A memory limit as written in manifests (`512M`, `1G`, `256Mi`), kept as text and bytes.
public struct MemorySize: Sendable, Hashable, Codable, CustomStringConvertible {
    public let text: String
    public let bytes: Int64

    public init?(_ text: String) {
        let units: [(String, Int64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30),
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30),
            ("", 1),
        ]
        for (suffix, multiplier) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int64(digits) else { continue }
            // Checked: `999999999999G` is past Int64 and must be refused, not overflow.
            let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { return nil }
            self.text = text
            self.bytes = bytes
            return
        }
        return nil
    }

    /// Podman refuses limits under 6 MiB; more than 1 TiB is a typo.
    public static let minimumBytes: Int64 = 6 << 20
    public static let maximumBytes: Int64 = 1 << 40

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = MemorySize(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid memory \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
