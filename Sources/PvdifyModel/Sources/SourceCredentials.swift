/// The secrets a source uses to reach its repository and to check webhooks. They are stored sealed
/// and never shown; responses name only which of them are set.
public struct SourceCredentials: Sendable, Equatable, Codable {
    public var username: String?
    public var password: String?
    /// An HTTPS access token (sent as the password).
    public var token: String?
    public var sshPrivateKey: String?
    /// The `known_hosts` line(s) the SSH host key is checked against.
    public var knownHosts: String?
    public var webhookSecret: String?

    public init(
        username: String? = nil, password: String? = nil, token: String? = nil, sshPrivateKey: String? = nil,
        knownHosts: String? = nil, webhookSecret: String? = nil
    ) {
        self.username = username
        self.password = password
        self.token = token
        self.sshPrivateKey = sshPrivateKey
        self.knownHosts = knownHosts
        self.webhookSecret = webhookSecret
    }

    static let maxLength = 16_384

    /// Request fields, as sent to `POST /sources/{name}/credentials`.
    public static let fields = ["username", "password", "token", "ssh_private_key", "known_hosts", "webhook_secret"]

    /// The names of the credentials that are set, in `fields` order.
    public var kinds: [String] {
        zip(Self.fields, [username, password, token, sshPrivateKey, knownHosts, webhookSecret]).compactMap { $1 == nil ? nil : $0 }
    }

    /// Reads a request body: the fields given replace the stored ones (null removes one). Errors
    /// name the field, never its value.
    public static func parse(_ reader: FieldReader, base: SourceCredentials) throws -> SourceCredentials {
        try reader.rejectUnknown(allowed: fields)
        guard !reader.fields.isEmpty else {
            throw ValidationError(field: "", message: "name at least one of \(fields.joined(separator: ", "))")
        }
        var result = base
        func value(_ key: String) throws -> String?? {
            guard reader.has(key) else { return .none }
            guard let text = try reader.string(key) else { return .some(nil) }
            guard !text.isEmpty, text.utf8.count <= maxLength else {
                throw ValidationError(field: reader.path(key), message: "must be 1 to \(maxLength) bytes")
            }
            return .some(text)
        }
        if let new = try value("username") { result.username = new }
        if let new = try value("password") { result.password = new }
        if let new = try value("token") { result.token = new }
        if let new = try value("ssh_private_key") { result.sshPrivateKey = new }
        if let new = try value("known_hosts") { result.knownHosts = new }
        if let new = try value("webhook_secret") { result.webhookSecret = new }
        if let username = result.username, !username.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) || username.contains(":") {
            throw ValidationError(field: reader.path("username"), message: "must be printable ASCII without spaces or ':'")
        }
        if result.token != nil, result.password != nil {
            throw ValidationError(field: reader.path("token"), message: "set a token or a password, not both")
        }
        if let key = result.sshPrivateKey, !key.hasPrefix("-----BEGIN ") {
            throw ValidationError(field: reader.path("ssh_private_key"), message: "must be a PEM or OpenSSH private key")
        }
        if result.sshPrivateKey != nil, result.knownHosts == nil {
            throw ValidationError(field: reader.path("known_hosts"), message: "is required with an SSH key: pvdify always checks the host key")
        }
        if let hosts = result.knownHosts {
            for line in hosts.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
                guard line.split(separator: " ").count >= 3 else {
                    throw ValidationError(field: reader.path("known_hosts"), message: "each line must be 'HOST KEYTYPE KEY', as in known_hosts")
                }
            }
        }
        return result
    }

    enum CodingKeys: String, CodingKey {
        case username, password, token
        case sshPrivateKey = "ssh_private_key"
        case knownHosts = "known_hosts"
        case webhookSecret = "webhook_secret"
    }
}
