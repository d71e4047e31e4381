/// Every condition type and reason pvdify writes, in one place.
public enum ConditionType {
    public static let ready = "Ready"
    public static let progressing = "Progressing"
    public static let degraded = "Degraded"
    public static let routesReady = "RoutesReady"
    public static let dnsReady = "DNSReady"
}

public enum ConditionReason {
    public static let noRelease = "NoRelease"
    public static let allProcessesHealthy = "AllProcessesHealthy"
    public static let scaledToZero = "ScaledToZero"
    public static let rollingOut = "RollingOut"
    public static let rolloutComplete = "RolloutComplete"
    public static let releaseFailed = "ReleaseFailed"
    public static let instancesStarting = "InstancesStarting"
    public static let instancesCrashed = "InstancesCrashed"
    public static let noCrashes = "NoCrashes"
    public static let runtimeUnavailable = "RuntimeUnavailable"
    /// Kubernetes: one of the app's objects would take the name of another app's.
    public static let nameConflict = "NameConflict"
    public static let routesLive = "RoutesLive"
    public static let caddyUnavailable = "CaddyUnavailable"
    // DNSReady (the DNS reconciler)
    public static let noCustomDomains = "NoCustomDomains"
    public static let recordsInPlace = "RecordsInPlace"
    public static let dnsNotManaged = "DNSNotManaged"
    public static let recordConflict = "RecordConflict"
    public static let zoneNotFound = "ZoneNotFound"
    public static let noDNSTarget = "NoDNSTarget"
    public static let tokenInvalid = "TokenInvalid"
    public static let recordsPending = "RecordsPending"
}
