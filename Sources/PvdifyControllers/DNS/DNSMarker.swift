/// pvdify's mark of ownership on a DNS record: the record's comment is `pvdify:app=<app>`. pvdify
/// changes and deletes only records that carry it; anything else in a zone is left alone.
public enum DNSMarker {
    /// What every marked comment starts with (the resync lists records by it).
    public static let prefix = "pvdify:app="

    /// The comment pvdify writes on the records of `app`.
    public static func comment(app: String) -> String { prefix + app }

    /// The app a comment names, or nil when pvdify does not own the record. Text after the app name
    /// (a note someone added) does not break ownership; the next pass restores the exact comment.
    public static func owner(of comment: String?) -> String? {
        guard let comment, comment.lowercased().hasPrefix(prefix) else { return nil }
        let rest = comment.dropFirst(prefix.count).prefix { !$0.isWhitespace && $0 != "," && $0 != ";" }
        return rest.isEmpty ? nil : rest.lowercased()
    }
}
