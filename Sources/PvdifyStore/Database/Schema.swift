/// The schema, as ordered migrations. Spec (apps) and status (app_status) live apart so
/// that the API and the reconcilers never write the same row. Written once, in SQLite's column
/// types; `executeSchema` translates them for PostgreSQL (`SQLDialect.schema`).
enum Schema {
    static var migrator: SchemaMigrations {
        var migrator = SchemaMigrations()
        migrator.registerMigration("v1") { db in
            try db.executeSchema("""
                CREATE TABLE apps (
                    name TEXT PRIMARY KEY NOT NULL,
                    spec TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    bind_port INTEGER NOT NULL UNIQUE,
                    preview_of TEXT REFERENCES apps(name) ON DELETE CASCADE,
                    pr_number INTEGER,
                    config_version INTEGER,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX apps_preview_of ON apps(preview_of);
                CREATE TABLE app_status (
                    app TEXT PRIMARY KEY NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE releases (
                    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                    version INTEGER NOT NULL,
                    image TEXT NOT NULL,
                    config_version INTEGER,
                    status TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    rollback_from INTEGER,
                    rollback_to INTEGER,
                    PRIMARY KEY (app, version)
                );
                CREATE TABLE release_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    app TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    at REAL NOT NULL,
                    line TEXT NOT NULL,
                    FOREIGN KEY (app, version) REFERENCES releases(app, version) ON DELETE CASCADE
                );
                CREATE INDEX release_log_release ON release_log(app, version);
                CREATE TABLE config_versions (
                    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                    version INTEGER NOT NULL,
                    vars TEXT NOT NULL,
                    secret_names TEXT NOT NULL,
                    sealed_secrets BLOB,
                    changes TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    PRIMARY KEY (app, version)
                );
                CREATE TABLE domains (
                    name TEXT PRIMARY KEY NOT NULL,
                    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    ssl INTEGER NOT NULL DEFAULT 0,
                    verify_token TEXT,
                    message TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX domains_app ON domains(app);
                CREATE TABLE tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    hash BLOB NOT NULL UNIQUE,
                    scopes TEXT NOT NULL,
                    apps TEXT,
                    created_at REAL NOT NULL,
                    last_used_at REAL
                );
                """)
        }
        // The DNS reconciler's report on each domain, apart from `status`, which routing owns.
        migrator.registerMigration("v2-domain-dns") { db in
            try db.executeSchema("""
                ALTER TABLE domains ADD COLUMN dns_status TEXT;
                ALTER TABLE domains ADD COLUMN dns_message TEXT;
                """)
        }
        // Tokens may expire (`expires_at`, Unix seconds; NULL never).
        migrator.registerMigration("tokens-expiry") { db in
            try db.executeSchema("ALTER TABLE tokens ADD COLUMN expires_at REAL")
        }
        // Admin tokens can no longer be limited to apps; those that were become write tokens.
        migrator.registerMigration("tokens-no-app-limited-admin", migrate: TokenMigrations.reduceAppLimitedAdmins)
        // The audit log: one row per mutating call or refused request, never a body or secret.
        migrator.registerMigration("audit-log") { db in
            try db.executeSchema("""
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    token_id TEXT,
                    token_name TEXT,
                    source TEXT,
                    method TEXT NOT NULL,
                    route TEXT,
                    app TEXT,
                    status INTEGER NOT NULL
                );
                CREATE INDEX audit_log_at ON audit_log(at);
                CREATE INDEX audit_log_app ON audit_log(app, id);
                CREATE INDEX audit_log_token ON audit_log(token_id, id);
                """)
        }
        // GitOps sources: spec and status apart, sealed credentials, and which source owns which app.
        migrator.registerMigration("sources") { db in
            try db.executeSchema("""
                CREATE TABLE sources (
                    name TEXT PRIMARY KEY NOT NULL,
                    spec TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    credentials BLOB,
                    credential_kinds TEXT NOT NULL DEFAULT '[]',
                    sync_requested_at REAL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE source_status (
                    source TEXT PRIMARY KEY NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE app_owners (
                    app TEXT PRIMARY KEY NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                    source TEXT NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
                    revision TEXT NOT NULL,
                    path TEXT NOT NULL
                );
                CREATE INDEX app_owners_source ON app_owners(source);
                """)
        }
        // Sealed secrets: the server's one age key pair, its private half sealed with the secret key.
        migrator.registerMigration("sealing-key") { db in
            try db.executeSchema("""
                CREATE TABLE sealing_key (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    recipient TEXT NOT NULL,
                    sealed_identity BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                """)
        }
        // Preview records: the desired state each preview app is derived from. A preview app
        // made before records existed gets one, expiring a week after its last change.
        migrator.registerMigration("preview-records") { db in
            try db.executeSchema("""
                CREATE TABLE previews (
                    app TEXT PRIMARY KEY NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                    parent TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                    pr_number INTEGER NOT NULL,
                    image TEXT NOT NULL,
                    head_sha TEXT,
                    branch TEXT,
                    fork INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    UNIQUE (parent, pr_number)
                );
                CREATE INDEX previews_expires_at ON previews(expires_at);
                INSERT INTO previews (app, parent, pr_number, image, created_at, updated_at, expires_at)
                    SELECT name, preview_of, pr_number, COALESCE(\(db.dialect.jsonText("spec", "image")), ''), created_at, updated_at,
                        updated_at + 604800
                    FROM apps WHERE preview_of IS NOT NULL AND pr_number IS NOT NULL;
                """)
        }
        // GitHub App installations and the repositories each covers, as its webhooks report them.
        migrator.registerMigration("github-installations") { db in
            try db.executeSchema("""
                CREATE TABLE github_installations (
                    id INTEGER PRIMARY KEY NOT NULL,
                    account TEXT NOT NULL,
                    repository_selection TEXT,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE github_installation_repositories (
                    installation_id INTEGER NOT NULL REFERENCES github_installations(id) ON DELETE CASCADE,
                    full_name TEXT NOT NULL,
                    PRIMARY KEY (installation_id, full_name)
                );
                """)
        }
        // The GitHub App's private key, sealed with the secret key like app secrets (one row).
        migrator.registerMigration("github-app-key") { db in
            try db.executeSchema("""
                CREATE TABLE github_app_key (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    sealed_key BLOB NOT NULL,
                    updated_at REAL NOT NULL
                );
                """)
        }
        // What GitHub should show of each preview commit: one row per preview and head SHA. No
        // foreign key to the preview: a row outlives its preview until `inactive` is posted.
        migrator.registerMigration("github-deployments") { db in
            try db.executeSchema("""
                CREATE TABLE github_deployments (
                    preview_app TEXT NOT NULL,
                    sha TEXT NOT NULL,
                    parent TEXT NOT NULL,
                    pr_number INTEGER NOT NULL,
                    repo TEXT NOT NULL,
                    installation_id INTEGER NOT NULL,
                    environment TEXT NOT NULL,
                    deployment_id INTEGER,
                    state TEXT,
                    description TEXT,
                    error TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (preview_app, sha)
                );
                CREATE INDEX github_deployments_parent ON github_deployments(parent);
                """)
        }
        // Leadership among pvdifyd replicas on one PostgreSQL database: one lease row, with the
        // fencing token that a new leader increments and every status write checks.
        migrator.registerMigration("leader-lease") { db in
            try db.executeSchema("""
                CREATE TABLE leader_lease (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    holder TEXT NOT NULL,
                    token INTEGER NOT NULL,
                    expires_at REAL NOT NULL
                );
                """)
        }
        // The installation's id, which its containers carry: on PostgreSQL every replica reads the
        // same one, so a new leader adopts the containers its predecessor started.
        migrator.registerMigration("installation-id") { db in
            try db.executeSchema("CREATE TABLE installation (id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1), instance_id TEXT NOT NULL)")
        }
        // Sealing key pairs a rotation replaced: kept (sealed like the current one) so that values
        // sealed to them still open, until they are forgotten.
        migrator.registerMigration("retired-sealing-keys") { db in
            try db.executeSchema("""
                CREATE TABLE retired_sealing_keys (
                    recipient TEXT PRIMARY KEY NOT NULL,
                    sealed_identity BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    retired_at REAL NOT NULL
                );
                """)
        }
        return migrator
    }
}
