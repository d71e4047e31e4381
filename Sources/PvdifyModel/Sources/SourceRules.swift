extension Rules {
    /// A git repository URL pvdify may hand to `git`: `file://`, `http(s)://` or `ssh://`, with no
    /// password in it (credentials are set apart and never travel in a URL), no whitespace, no
    /// control characters, and nothing `git` could read as an option.
    public static func repositoryURL(_ url: String) -> String? {
        guard !url.isEmpty, url.utf8.count <= 2048 else { return "must be a URL of 1 to 2048 characters" }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            return "must not contain spaces, control or non-ASCII characters"
        }
        // Lowercase only: git's protocol allow-list (GIT_ALLOW_PROTOCOL) matches the scheme as written.
        let schemes = ["file://", "http://", "https://", "ssh://"]
        guard let scheme = schemes.first(where: { url.hasPrefix($0) }) else {
            return "must start with file://, http://, https:// or ssh:// (lowercase)"
        }
        let rest = url.dropFirst(scheme.count)
        if scheme == "file://" {
            guard rest.hasPrefix("/") else { return "file:// URLs must name an absolute path (file:///srv/repo.git)" }
            return nil
        }
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty else { return "must name a host" }
        if let at = authority.lastIndex(of: "@") {
            let user = authority[..<at]
            guard scheme == "ssh://" else {
                return "must not carry a user name or password; set them with POST /sources/{name}/credentials"
            }
            guard !user.contains(":") else { return "must not carry a password; set credentials apart" }
        }
        guard !authority.hasPrefix("-") else { return "must not start its host with '-'" }
        return nil
    }

    /// A branch or tag name: `[A-Za-z0-9._/-]`, not starting with `-` or `/`, without `..`, `//`
    /// or a trailing `/`, `.` or `.lock`; at most 200 characters.
    public static func gitRefName(_ name: String) -> String? {
        let allowed = name.utf8.allSatisfy {
            isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/")
        }
        guard !name.isEmpty, name.utf8.count <= 200, allowed else {
            return "must be 1 to 200 characters of letters, digits, '.', '_', '-' and '/'"
        }
        guard !name.hasPrefix("-"), !name.hasPrefix("/"), !name.hasSuffix("/"), !name.hasSuffix("."),
              !name.hasSuffix(".lock"), !name.contains(".."), !name.contains("//"), !name.contains("/.")
        else { return "is not a valid git ref name" }
        return nil
    }

    /// A full commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
    public static func commitID(_ sha: String) -> String? {
        let hex = sha.utf8.allSatisfy { isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
        guard hex, sha.utf8.count == 40 || sha.utf8.count == 64 else { return "must be a full commit id (40 lowercase hex digits)" }
        return nil
    }

    /// A folder inside the repository: relative, `/`-separated, no `..` and no hidden segments.
    public static func repositoryPath(_ path: String) -> String? {
        guard path == "." || !path.isEmpty, path.utf8.count <= 512 else { return "must be 1 to 512 characters" }
        guard !path.hasPrefix("/") else { return "must be relative to the repository root" }
        let allowed = path.utf8.allSatisfy {
            isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/")
        }
        guard allowed else { return "may contain only letters, digits, '.', '_', '-' and '/'" }
        for segment in path.split(separator: "/") where path != "." {
            guard segment != "..", !(segment.hasPrefix(".") && segment != ".") else {
                return "must not contain '..' or hidden folders"
            }
        }
        return nil
    }
}
