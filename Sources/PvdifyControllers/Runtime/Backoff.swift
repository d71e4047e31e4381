import PvdifyDrivers

/// The runner's per-key backoff is the drivers' one backoff type.
public typealias Backoff = PvdifyDrivers.Backoff
