/// Every condition type and reason pvdify writes, in one place.
public enum ConditionType {
    public static let ready = "Ready"
    public static let progressing = "Progressing"
    public static let degraded = "Degraded"
    public static let routesReady = "RoutesReady"
    public static let dnsReady = "DNSReady"
}

public enum ConditionReason {
    public static let awaitingReconciler = "AwaitingReconciler"
    public static let noImage = "NoImage"
}
