import Foundation

/// One numbered deploy of an app: an image with a config version.
public struct Release: Sendable, Equatable {
    public var app: String
    public var version: Int
    public var image: String
    public var configVersion: Int?
    public var status: ReleaseStatus
    public var createdAt: Date
    public var createdBy: String
    public var rollbackFrom: Int?
    public var rollbackTo: Int?

    public init(
        app: String, version: Int, image: String, configVersion: Int?, status: ReleaseStatus,
        createdAt: Date, createdBy: String, rollbackFrom: Int? = nil, rollbackTo: Int? = nil
    ) {
        self.app = app
        self.version = version
        self.image = image
        self.configVersion = configVersion
        self.status = status
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.rollbackFrom = rollbackFrom
        self.rollbackTo = rollbackTo
    }
}

public enum ReleaseStatus: String, Sendable, Codable, CaseIterable {
    case deploying, active, superseded, failed
}

/// One snapshot of an app's config: plain vars in clear, secret names only (values stay encrypted).
public struct ConfigVersion: Sendable, Equatable {
    public var app: String
    public var version: Int
    public var vars: [String: String]
    public var secretNames: [String]
    public var changes: [String]
    public var createdAt: Date
    public var createdBy: String

    public init(app: String, version: Int, vars: [String: String], secretNames: [String], changes: [String], createdAt: Date, createdBy: String) {
        self.app = app
        self.version = version
        self.vars = vars
        self.secretNames = secretNames
        self.changes = changes
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// Vars with every secret shown as `[REDACTED]`: the only form that leaves the daemon.
    public var redactedVars: [String: String] {
        var all = vars
        for name in secretNames { all[name] = ConfigVersion.redacted }
        return all
    }

    public static let redacted = "[REDACTED]"
}

/// A custom hostname of an app and what the route and DNS reconcilers report about it.
public struct Domain: Sendable, Equatable {
    public var name: String
    public var app: String
    public var status: DomainStatus
    public var ssl: Bool
    public var verifyToken: String?
    public var message: String?
    public var createdAt: Date
    /// What the DNS reconciler reports (nil until it has); kept apart from `status`, which routing owns.
    public var dns: DomainDNS?

    public init(
        name: String, app: String, status: DomainStatus, ssl: Bool, verifyToken: String?, message: String?, createdAt: Date,
        dns: DomainDNS? = nil
    ) {
        self.name = name
        self.app = app
        self.status = status
        self.ssl = ssl
        self.verifyToken = verifyToken
        self.message = message
        self.createdAt = createdAt
        self.dns = dns
    }

    /// The TXT record name that proves ownership.
    public var verifyRecordName: String { "_pvdify-verify.\(name)" }
}

public enum DomainStatus: String, Sendable, Codable, CaseIterable {
    case provisioning, verifying, active, failed
}
