import PvdifyModel

/// Data migrations of the tokens table.
enum TokenMigrations {
    /// An app-limited admin token could list and create every token, so its limit did not hold:
    /// such tokens keep their apps and lose admin (they become write tokens).
    static func reduceAppLimitedAdmins(_ db: any SQLSession) throws {
        for row in try SQLRow.fetchAll(db, sql: "SELECT id, scopes FROM tokens WHERE apps IS NOT NULL") {
            let scopes = try Columns.decode([String].self, row["scopes"])
            guard scopes.contains(Scope.admin.rawValue) else { continue }
            let reduced = Set(scopes.compactMap(Scope.init(rawValue:)).map { $0 == .admin ? Scope.write : $0 }).sorted()
            try db.execute(
                sql: "UPDATE tokens SET scopes = ? WHERE id = ?",
                arguments: [try Columns.encode(reduced.map(\.rawValue)), row["id"] as String])
        }
    }
}
