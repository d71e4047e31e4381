import AsyncHTTPClient
import Foundation
import Logging

/// Typed calls to Cloudflare API v4: builds requests with `CloudflareRequests`, sends them with
/// `CloudflareTransport`, unwraps the envelope and pages through lists.
public struct CloudflareClient: Sendable {
    /// The transport it sends through.
    public let transport: CloudflareTransport
    /// Zones asked for per page (Cloudflare allows 5 to 50).
    public var zonePageSize: Int
    /// Records asked for per page (Cloudflare's default is 100).
    public var recordPageSize: Int
    /// A list stops after this many pages, in case an API never says it is done.
    static let maxPages = 1000

    /// A client over an existing transport.
    public init(transport: CloudflareTransport, zonePageSize: Int = 50, recordPageSize: Int = 100) {
        self.transport = transport
        self.zonePageSize = zonePageSize
        self.recordPageSize = recordPageSize
    }

    /// A client for `baseURL` with `token`, on the shared HTTP client.
    public init(baseURL: URL, token: String, retry: CloudflareRetryPolicy = CloudflareRetryPolicy(), timeout: Duration = .seconds(30), logger: Logger) {
        self.init(transport: CloudflareTransport(baseURL: baseURL, token: token, retry: retry, timeout: timeout, logger: logger))
    }

    /// What Cloudflare says about the token; an unknown or malformed token throws an authentication error.
    public func verifyToken() async throws -> CloudflareTokenStatus {
        try await result(CloudflareTokenStatus.self, CloudflareRequests.verifyToken())
    }

    /// Every zone the token can see.
    public func zones() async throws -> [CloudflareZone] {
        try await allPages(CloudflareZone.self) { CloudflareRequests.listZones(page: $0, perPage: zonePageSize) }
    }

    /// Every record of a zone that matches `filter`.
    public func records(zoneID: String, _ filter: DNSRecordFilter) async throws -> [DNSRecord] {
        try await allPages(DNSRecord.self) {
            CloudflareRequests.listRecords(zoneID: zoneID, filter: filter, page: $0, perPage: recordPageSize)
        }
    }

    /// One record; a missing one throws an error with `isNotFound`.
    public func record(zoneID: String, id: String) async throws -> DNSRecord {
        try await result(DNSRecord.self, CloudflareRequests.getRecord(zoneID: zoneID, id: id))
    }

    /// Creates a record and returns it as stored.
    @discardableResult
    public func createRecord(zoneID: String, _ fields: DNSRecordFields) async throws -> DNSRecord {
        try await result(DNSRecord.self, CloudflareRequests.createRecord(zoneID: zoneID, fields))
    }

    /// Overwrites every field of a record and returns it as stored.
    @discardableResult
    public func overwriteRecord(zoneID: String, id: String, _ fields: DNSRecordFields) async throws -> DNSRecord {
        try await result(DNSRecord.self, CloudflareRequests.overwriteRecord(zoneID: zoneID, id: id, fields))
    }

    /// Deletes a record.
    public func deleteRecord(zoneID: String, id: String) async throws {
        _ = try await envelope(IgnoredResult.self, CloudflareRequests.deleteRecord(zoneID: zoneID, id: id))
    }

    // MARK: - Envelope

    private func result<T: Decodable & Sendable>(_ type: T.Type, _ request: CloudflareRequest) async throws -> T {
        let answer = try await envelope(T.self, request)
        guard let result = answer.result else {
            throw CloudflareError(status: 200, errors: [CloudflareMessage(code: 0, message: "answer without a result")], call: call(request))
        }
        return result
    }

    /// Sends and decodes; an envelope with `success: false` is an error even with a 2xx status.
    private func envelope<T: Decodable & Sendable>(_ type: T.Type, _ request: CloudflareRequest) async throws -> CloudflareEnvelope<T> {
        let response = try await transport.send(request)
        let answer: CloudflareEnvelope<T>
        do {
            answer = try JSONDecoder().decode(CloudflareEnvelope<T>.self, from: response.body)
        } catch {
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw CloudflareError(
                status: response.status, errors: [CloudflareMessage(code: 0, message: "unreadable answer (\(error)): \(text)")],
                call: call(request))
        }
        guard answer.success else { throw CloudflareError(status: response.status, errors: answer.errors, call: call(request)) }
        return answer
    }

    /// Collects a list page by page (`page` from 1) until `result_info` says there is no more.
    private func allPages<T: Decodable & Sendable>(_ type: T.Type, _ request: (Int) -> CloudflareRequest) async throws -> [T] {
        var items: [T] = []
        for page in 1...Self.maxPages {
            let answer = try await envelope([T].self, request(page))
            let batch = answer.result ?? []
            items += batch
            guard let info = answer.resultInfo, info.hasMore, !batch.isEmpty else { break }
        }
        return items
    }

    private func call(_ request: CloudflareRequest) -> String { "\(request.method.rawValue) \(request.path)" }
}
