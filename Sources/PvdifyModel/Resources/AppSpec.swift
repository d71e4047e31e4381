/// The part of an app's desired state that lives on the app itself. Config, secrets and domains
/// have their own versioned records; `ManifestSpec` joins them all into the App document.
public struct AppSpec: Sendable, Equatable, Codable {
    public var environment: AppEnvironment
    public var image: String?
    public var processes: [String: ProcessSpec]
    public var resources: Resources
    public var healthcheck: Healthcheck
    public var labels: [String: String]
    /// Restart requests per process type (`ps/restart`): the time asked; bumping it rolls the type.
    public var restarts: [String: Date]
    /// What this app's pull-request previews get (see `PreviewPolicy`).
    public var previews: PreviewPolicy
    /// The GitHub repository the app is deployed from and whose pull requests get previews of it,
    /// if any (see `GitHubLink`).
    public var github: GitHubLink?

    public init(
        environment: AppEnvironment = .production,
        image: String? = nil,
        processes: [String: ProcessSpec] = ["web": ProcessSpec(command: nil, count: 1)],
        resources: Resources = Resources(),
        healthcheck: Healthcheck = Healthcheck(),
        labels: [String: String] = [:],
        restarts: [String: Date] = [:],
        previews: PreviewPolicy = PreviewPolicy(),
        github: GitHubLink? = nil
    ) {
        self.environment = environment
        self.image = image
        self.processes = processes
        self.resources = resources
        self.healthcheck = healthcheck
        self.labels = labels
        self.restarts = restarts
        self.previews = previews
        self.github = github
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        environment = try container.decode(AppEnvironment.self, forKey: .environment)
        image = try container.decodeIfPresent(String.self, forKey: .image)
        processes = try container.decode([String: ProcessSpec].self, forKey: .processes)
        resources = try container.decodeIfPresent(Resources.self, forKey: .resources) ?? Resources()
        healthcheck = try container.decodeIfPresent(Healthcheck.self, forKey: .healthcheck) ?? Healthcheck()
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        restarts = try container.decodeIfPresent([String: Date].self, forKey: .restarts) ?? [:]
        previews = try container.decodeIfPresent(PreviewPolicy.self, forKey: .previews) ?? PreviewPolicy()
        github = try container.decodeIfPresent(GitHubLink.self, forKey: .github)
    }
}

public enum AppEnvironment: String, Sendable, Codable, CaseIterable {
    case production
    case staging

    public static func parse(_ text: String, field: String) throws -> AppEnvironment {
        guard let value = AppEnvironment(rawValue: text) else {
            throw ValidationError(field: field, message: "must be 'production' or 'staging'")
        }
        return value
    }
}

/// One process type: the command (nil runs the image's own command) and how many instances.
public struct ProcessSpec: Sendable, Equatable, Codable {
    public var command: String?
    public var count: Int

    public init(command: String?, count: Int) {
        self.command = command
        self.count = count
    }

    public static let maxCount = 100

    public static func validateType(_ type: String, field: String) throws {
        if let problem = Rules.appName(type) {
            throw ValidationError(field: field, message: "process type \(problem)")
        }
    }

    public static func validateCount(_ count: Int, field: String) throws {
        guard (0...maxCount).contains(count) else {
            throw ValidationError(field: field, message: "must be between 0 and \(maxCount)")
        }
    }

    /// Reads `{command, count}`, over `base` when patching an existing process type.
    public static func parse(_ reader: FieldReader, base: ProcessSpec?) throws -> ProcessSpec {
        try reader.rejectUnknown(allowed: ["command", "count"])
        var spec = base ?? ProcessSpec(command: nil, count: 1)
        if reader.has("command") {
            spec.command = try reader.string("command")
            if let command = spec.command, let problem = Rules.command(command) {
                throw ValidationError(field: reader.path("command"), message: problem)
            }
            if spec.command?.isEmpty == true { spec.command = nil }
        }
        if let count = try reader.int("count") {
            try validateCount(count, field: reader.path("count"))
            spec.count = count
        }
        return spec
    }
}

/// Container limits; nil means no limit.
public struct Resources: Sendable, Equatable, Codable {
    public var memory: MemorySize?
    public var cpu: Double?

    public init(memory: MemorySize? = nil, cpu: Double? = nil) {
        self.memory = memory
        self.cpu = cpu
    }

    public static func parse(_ reader: FieldReader, base: Resources) throws -> Resources {
        try reader.rejectUnknown(allowed: ["memory", "cpu"])
        var resources = base
        if reader.has("memory") {
            if let text = try reader.string("memory") {
                guard let size = MemorySize(text) else {
                    throw ValidationError(field: reader.path("memory"), message: "must be a size like 512M or 1G")
                }
                guard size.bytes >= MemorySize.minimumBytes, size.bytes <= MemorySize.maximumBytes else {
                    throw ValidationError(field: reader.path("memory"), message: "must be between 6M and 1024G")
                }
                resources.memory = size
            } else {
                resources.memory = nil
            }
        }
        if reader.has("cpu") {
            if let cpu = try reader.number("cpu") {
                guard cpu >= 0.01, cpu <= 256 else {
                    throw ValidationError(field: reader.path("cpu"), message: "must be between 0.01 and 256 cores")
                }
                resources.cpu = cpu
            } else {
                resources.cpu = nil
            }
        }
        return resources
    }
}

/// The web health check the container reconciler runs (HTTP GET, 2xx).
public struct Healthcheck: Sendable, Equatable, Codable {
    public var path: String
    public var interval: DurationText
    public var timeout: DurationText
    public var deployTimeout: DurationText

    public init(
        path: String = "/",
        interval: DurationText = DurationText(milliseconds: 30_000),
        timeout: DurationText = DurationText(milliseconds: 5_000),
        deployTimeout: DurationText = DurationText(milliseconds: 60_000)
    ) {
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.deployTimeout = deployTimeout
    }

    enum CodingKeys: String, CodingKey {
        case path, interval, timeout
        case deployTimeout = "deploy_timeout"
    }

    public static func parse(_ reader: FieldReader, base: Healthcheck) throws -> Healthcheck {
        try reader.rejectUnknown(allowed: ["path", "interval", "timeout", "deploy_timeout"])
        var check = base
        if let path = try reader.string("path") {
            if let problem = Rules.httpPath(path) { throw ValidationError(field: reader.path("path"), message: problem) }
            check.path = path
        }
        func duration(_ key: String, range: ClosedRange<Int>) throws -> DurationText? {
            guard let text = try reader.string(key) else { return nil }
            guard let value = DurationText(text) else {
                throw ValidationError(field: reader.path(key), message: "must be a duration like 30s, 5m or 500ms")
            }
            guard range.contains(value.milliseconds) else {
                throw ValidationError(
                    field: reader.path(key),
                    message: "must be between \(DurationText(milliseconds: range.lowerBound)) and \(DurationText(milliseconds: range.upperBound))")
            }
            return value
        }
        check.interval = try duration("interval", range: 1_000...3_600_000) ?? check.interval
        check.timeout = try duration("timeout", range: 100...300_000) ?? check.timeout
        check.deployTimeout = try duration("deploy_timeout", range: 1_000...3_600_000) ?? check.deployTimeout
        return check
    }
}

import Foundation
