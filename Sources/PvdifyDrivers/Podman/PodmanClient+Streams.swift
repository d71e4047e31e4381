import Foundation
import NIOCore

extension PodmanClient {
    /// Pulls an image, reporting each progress line to `progress`, and returns the image id.
    /// Throws a `PodmanError` when the stream ends with an `error` line (its HTTP status is 200).
    @discardableResult
    public func pullImage(
        _ reference: String, tlsVerify: Bool = true, policy: PodmanRequests.PullPolicy = .missing,
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> String {
        let body = try await transport.open(PodmanRequests.pullImage(reference, tlsVerify: tlsVerify, policy: policy))
        var splitter = LineSplitter()
        var imageID: String?
        func handle(_ line: [UInt8]) throws {
            guard !line.isEmpty else { return }
            let report = try JSONDecoder().decode(PullReport.self, from: Data(line))
            if let error = report.error { throw PodmanError(status: 200, cause: "pull failed", message: error) }
            if let stream = report.stream {
                progress(stream.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let id = report.id { imageID = id }
        }
        for try await chunk in body {
            for line in splitter.append(chunk.readableBytesView) { try handle(line) }
        }
        if let rest = splitter.finish() { try handle(rest) }
        guard let imageID else {
            throw PodmanError(status: 200, cause: "pull failed", message: "the pull of \(reference) ended without a result")
        }
        return imageID
    }

    /// A container's log lines, stdout and stderr demultiplexed. With `follow` the stream stays
    /// open until the container is removed or the consumer stops iterating.
    public func logs(
        _ name: String, follow: Bool = false, since: Date? = nil, tail: Int? = nil, timestamps: Bool = false
    ) -> AsyncThrowingStream<LogLine, any Error> {
        let request = PodmanRequests.logs(name, follow: follow, since: since, tail: tail, timestamps: timestamps)
        return stream(request) { decoder, chunk in
            chunk.map { decoder.append($0.readableBytesView) } ?? decoder.finish()
        } initial: {
            LogFrameDecoder(timestamps: timestamps)
        }
    }

    /// Container events for containers carrying all the given labels, from now on (or from
    /// `since`, replaying recorded ones first), until the consumer stops iterating.
    public func events(labelFilters: [String] = [], since: Date? = nil) -> AsyncThrowingStream<PodmanEvent, any Error> {
        stream(PodmanRequests.events(labelFilters: labelFilters, since: since)) { splitter, chunk in
            let lines = chunk.map { splitter.append($0.readableBytesView) } ?? splitter.finish().map { [$0] } ?? []
            return try lines.filter { !$0.isEmpty }.map { try JSONDecoder().decode(PodmanEvent.self, from: Data($0)) }
        } initial: {
            LineSplitter()
        }
    }

    /// Opens a streamed request and turns its chunks into elements with a stateful decoder
    /// (`nil` chunk = end of stream). Ending the iteration cancels the request.
    private func stream<Element: Sendable, State>(
        _ request: PodmanRequest,
        decode: @escaping @Sendable (inout State, ByteBuffer?) throws -> [Element],
        initial: @escaping @Sendable () -> State
    ) -> AsyncThrowingStream<Element, any Error> {
        let transport = self.transport
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var decoder = initial()
                    let body = try await transport.open(request)
                    for try await chunk in body {
                        for element in try decode(&decoder, chunk) { continuation.yield(element) }
                    }
                    for element in try decode(&decoder, nil) { continuation.yield(element) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
