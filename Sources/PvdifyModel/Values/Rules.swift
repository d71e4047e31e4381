/// The validation rules every way in (API, manifests, GitOps) shares. Each returns a message for
/// the caller to attach to its own field path, or nil when the value is valid.
public enum Rules {
    /// Lowercase DNS label, starting with a letter; `maxLength` 30 for apps, 63 for previews.
    public static func appName(_ name: String, maxLength: Int = 30) -> String? {
        guard !name.isEmpty else { return "must not be empty" }
        guard name.count <= maxLength else { return "must be at most \(maxLength) characters" }
        let bytes = Array(name.utf8)
        guard bytes[0] >= UInt8(ascii: "a"), bytes[0] <= UInt8(ascii: "z") else {
            return "must start with a lowercase letter"
        }
        guard bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) else {
            return "may contain only lowercase letters, digits and '-'"
        }
        guard bytes.last != UInt8(ascii: "-") else { return "must not end with '-'" }
        return nil
    }

    /// A fully qualified hostname: at least two labels of `[a-z0-9-]`, no IP address.
    public static func hostname(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 253 else { return "must be a hostname of 1 to 253 characters" }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return "must have at least two labels, like example.com" }
        for label in labels {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count <= 63 else { return "has an empty or over-long label" }
            guard bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) else {
                return "may contain only lowercase letters, digits, '-' and '.'"
            }
            guard bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
                return "labels must not start or end with '-'"
            }
        }
        if labels.allSatisfy({ $0.utf8.allSatisfy(isDigit) }) { return "must be a hostname, not an IP address" }
        guard let top = labels.last, !top.utf8.allSatisfy(isDigit) else { return "must end in a name, not a number" }
        return nil
    }

    /// Environment variable names: `[A-Za-z_][A-Za-z0-9_]*`, at most 256 characters.
    public static func configKey(_ key: String) -> String? {
        let bytes = Array(key.utf8)
        guard !bytes.isEmpty, bytes.count <= 256 else { return "must be 1 to 256 characters" }
        guard !isDigit(bytes[0]), bytes.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "_") }) else {
            return "must match [A-Za-z_][A-Za-z0-9_]*"
        }
        if key == "PORT" { return "PORT is set by pvdify to the app's bind_port" }
        return nil
    }

    /// Characters (Unicode code points, as JSON Schema's `maxLength` counts them) in a config value.
    public static let maxConfigValueCharacters = 32 * 1024

    public static func configValue(_ value: String) -> String? {
        guard value.unicodeScalars.count <= maxConfigValueCharacters else { return "must be at most 32768 characters" }
        guard !value.utf8.contains(0) else { return "must not contain NUL bytes" }
        return nil
    }

    /// An OCI image reference: `[registry[:port]/]path[:tag][@sha256:hex]`, no scheme, no spaces.
    public static func imageReference(_ reference: String) -> String? {
        guard !reference.isEmpty, reference.utf8.count <= 512 else { return "must be 1 to 512 characters" }
        var rest = Substring(reference)
        if let at = rest.firstIndex(of: "@") {
            let digest = rest[rest.index(after: at)...]
            guard digest.hasPrefix("sha256:"), digest.count == 71,
                  digest.dropFirst(7).utf8.allSatisfy({ isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) })
            else { return "has an invalid digest (expected @sha256:<64 hex digits>)" }
            rest = rest[..<at]
        }
        let components = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let last = components.last, !components.contains(where: \.isEmpty) else {
            return "must look like registry/repository:tag"
        }
        var repositoryParts = Array(components)
        if components.count > 1, components[0].contains(".") || components[0].contains(":") || components[0] == "localhost" {
            let host = components[0]
            guard host.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ":") }) else {
                return "has an invalid registry host"
            }
            repositoryParts.removeFirst()
        }
        var name = Substring(last)
        if let colon = last.lastIndex(of: ":") {
            let tag = last[last.index(after: colon)...]
            guard !tag.isEmpty, tag.count <= 128,
                  tag.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
            else { return "has an invalid tag" }
            name = last[..<colon]
        }
        repositoryParts[repositoryParts.count - 1] = name
        for part in repositoryParts {
            guard !part.isEmpty,
                  part.utf8.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
                  let first = part.utf8.first, isLowerAlnum(first)
            else { return "repository names use lowercase letters, digits, '.', '_' and '-'" }
        }
        return nil
    }

    /// An HTTP path for health checks: starts with `/`, printable ASCII, no spaces.
    public static func httpPath(_ path: String) -> String? {
        guard path.hasPrefix("/"), path.utf8.count <= 1024 else { return "must start with '/'" }
        guard path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return "must be printable ASCII without spaces" }
        return nil
    }

    /// A shell command for a process; run through `/bin/sh -c`, so only NUL and newlines are refused.
    public static func command(_ command: String) -> String? {
        guard command.unicodeScalars.count <= 4096 else { return "must be at most 4096 characters" }
        guard !command.utf8.contains(where: { $0 == 0 || $0 == 0x0a || $0 == 0x0d }) else {
            return "must be one line"
        }
        return nil
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isLowerAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) }
    static func isAlnum(_ byte: UInt8) -> Bool { isLowerAlnum(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) }
}
