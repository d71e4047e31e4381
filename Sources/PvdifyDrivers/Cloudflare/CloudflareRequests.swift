import Foundation

/// Builds every Cloudflare API v4 call pvdify makes as a `CloudflareRequest` value; nothing here does I/O.
/// Paths are relative to the base URL (`https://api.cloudflare.com/client/v4`).
public enum CloudflareRequests {
    /// `GET /user/tokens/verify`: whether the token is valid and active.
    public static func verifyToken() -> CloudflareRequest {
        CloudflareRequest(method: .get, path: "/user/tokens/verify")
    }

    /// `GET /zones?page=&per_page=`: one page of the zones the token can see (optionally one by name).
    public static func listZones(page: Int, perPage: Int, name: String? = nil) -> CloudflareRequest {
        var query: [CloudflareRequest.Query] = []
        if let name { query.append(.init("name", name)) }
        query += [.init("page", String(page)), .init("per_page", String(perPage))]
        return CloudflareRequest(method: .get, path: "/zones", query: query)
    }

    /// `GET /zones/{zone}/dns_records?<filter>&page=&per_page=`: one page of a zone's records.
    public static func listRecords(zoneID: String, filter: DNSRecordFilter, page: Int, perPage: Int) -> CloudflareRequest {
        CloudflareRequest(
            method: .get, path: recordsPath(zoneID),
            query: filter.query + [.init("page", String(page)), .init("per_page", String(perPage))])
    }

    /// `GET /zones/{zone}/dns_records/{id}`: one record.
    public static func getRecord(zoneID: String, id: String) -> CloudflareRequest {
        CloudflareRequest(method: .get, path: recordPath(zoneID, id))
    }

    /// `POST /zones/{zone}/dns_records`: creates a record.
    public static func createRecord(zoneID: String, _ fields: DNSRecordFields) -> CloudflareRequest {
        CloudflareRequest(method: .post, path: recordsPath(zoneID), body: fields.jsonBody())
    }

    /// `PUT /zones/{zone}/dns_records/{id}`: overwrites every field of a record (so a hand edit of any
    /// field, the comment included, is undone).
    public static func overwriteRecord(zoneID: String, id: String, _ fields: DNSRecordFields) -> CloudflareRequest {
        CloudflareRequest(method: .put, path: recordPath(zoneID, id), body: fields.jsonBody())
    }

    /// `DELETE /zones/{zone}/dns_records/{id}`: answers `{"id"}`.
    public static func deleteRecord(zoneID: String, id: String) -> CloudflareRequest {
        CloudflareRequest(method: .delete, path: recordPath(zoneID, id))
    }

    static func recordsPath(_ zoneID: String) -> String {
        "/zones/" + PercentEncoding.encode(zoneID) + "/dns_records"
    }

    static func recordPath(_ zoneID: String, _ id: String) -> String {
        recordsPath(zoneID) + "/" + PercentEncoding.encode(id)
    }
}
