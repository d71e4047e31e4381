/// pvdify's resource and duration values as Kubernetes writes them.
public enum KubernetesQuantities {
    /// Bytes in the largest binary unit that divides them: 512M (512 MiB in pvdify) is `512Mi`.
    public static func memory(_ size: MemorySize) -> String {
        for (suffix, unit) in [("Gi", Int64(1) << 30), ("Mi", Int64(1) << 20), ("Ki", Int64(1) << 10)] where size.bytes % unit == 0 {
            return "\(size.bytes / unit)\(suffix)"
        }
        return String(size.bytes)
    }

    /// Cores as millicores: 0.5 is `500m`, 2 is `2`.
    public static func cpu(_ cores: Double) -> String {
        let millicores = max(1, Int((cores * 1000).rounded()))
        return millicores % 1000 == 0 ? String(millicores / 1000) : "\(millicores)m"
    }

    /// Whole seconds, rounded up, at least one (probes count in seconds; pvdify allows 100ms).
    public static func seconds(_ duration: DurationText) -> Int {
        max(1, (duration.milliseconds + 999) / 1000)
    }
}
