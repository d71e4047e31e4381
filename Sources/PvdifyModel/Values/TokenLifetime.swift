/// How long a new token lives, as people write it: `30d`, `12h`, `90m`, `45s`, or `1d12h`.
public enum TokenLifetime {
    /// The longest lifetime a token may be given: ten years.
    public static let maxSeconds = 3_650 * 86_400

    /// Seconds, or nil if `text` is no duration of one second to ten years.
    public static func seconds(_ text: String) -> Int? {
        var days = 0
        var rest = Substring(text)
        // Days first, then whatever DurationText reads (`h`, `m`, `s`).
        if let index = rest.firstIndex(of: "d") {
            let digits = rest[..<index]
            guard (1...5).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else {
                return nil
            }
            days = value
            rest = rest[rest.index(after: index)...]
        }
        var seconds = days * 86_400
        if !rest.isEmpty {
            guard let duration = DurationText(String(rest)), duration.milliseconds % 1000 == 0 else { return nil }
            seconds += duration.milliseconds / 1000
        }
        guard (1...maxSeconds).contains(seconds) else { return nil }
        return seconds
    }
}
