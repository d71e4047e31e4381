import Foundation

/// Builds every libpod call pvdify makes as a `PodmanRequest` value; nothing here does I/O.
public enum PodmanRequests {
    /// The versioned API prefix (Podman accepts any version string; unversioned paths are 404).
    public static let prefix = "/v4.0.0/libpod"

    /// `GET /_ping`: answers `OK` when the service is up.
    public static func ping() -> PodmanRequest {
        PodmanRequest(method: .get, path: prefix + "/_ping")
    }

    /// `GET /containers/json?all=true&filters={"label":[...]}`: every container (running or not)
    /// carrying all the given labels (`key` or `key=value`).
    public static func listContainers(labelFilters: [String] = []) -> PodmanRequest {
        var query = [("all", "true")]
        if !labelFilters.isEmpty { query.append(("filters", filtersJSON(["label": labelFilters]))) }
        return PodmanRequest(method: .get, path: prefix + "/containers/json", query: query)
    }

    /// `GET /containers/{name}/json`: one container's full state.
    public static func inspect(_ name: String) -> PodmanRequest {
        PodmanRequest(method: .get, path: containerPath(name, "/json"))
    }

    /// `POST /containers/create` with a SpecGenerator body built from `spec`.
    public static func createContainer(_ spec: ContainerSpec) -> PodmanRequest {
        PodmanRequest(method: .post, path: prefix + "/containers/create", body: spec.specGeneratorJSON())
    }

    /// `POST /containers/{name}/start`: 204, or 304 when already running.
    public static func start(_ name: String) -> PodmanRequest {
        PodmanRequest(method: .post, path: containerPath(name, "/start"))
    }

    /// `POST /containers/{name}/stop?timeout=N`: SIGTERM, then SIGKILL after `timeout` seconds.
    public static func stop(_ name: String, timeout: Int) -> PodmanRequest {
        PodmanRequest(method: .post, path: containerPath(name, "/stop"), query: [("timeout", String(timeout))])
    }

    /// `DELETE /containers/{name}?force=...`: removes the container (`force` stops it first).
    public static func remove(_ name: String, force: Bool) -> PodmanRequest {
        PodmanRequest(method: .delete, path: containerPath(name, ""), query: [("force", String(force))])
    }

    /// `/containers/{name}` plus a suffix, with the name percent-encoded.
    static func containerPath(_ name: String, _ suffix: String) -> String {
        prefix + "/containers/" + PercentEncoding.encode(name) + suffix
    }

    /// The `filters` query value: a JSON map of string lists, keys sorted so requests are stable.
    static func filtersJSON(_ filters: [String: [String]]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a dictionary of string arrays cannot fail.
        return String(decoding: (try? encoder.encode(filters)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
