/// The store's migrations, in order, for every backend. A migration's SQL may ask its session's
/// `dialect` where SQLite and PostgreSQL differ.
struct SchemaMigrations: Sendable {
    /// One named step; a backend records the names it has run.
    struct Migration: Sendable {
        let name: String
        let migrate: @Sendable (any SQLSession) throws -> Void
    }

    private(set) var migrations: [Migration] = []

    /// Appends a step (named as GRDB's migrator names it, so that the SQLite file's record of the
    /// steps already run stays valid).
    mutating func registerMigration(_ name: String, migrate: @escaping @Sendable (any SQLSession) throws -> Void) {
        precondition(!migrations.contains { $0.name == name }, "migration \(name) registered twice")
        migrations.append(Migration(name: name, migrate: migrate))
    }
}
