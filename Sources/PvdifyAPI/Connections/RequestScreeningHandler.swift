import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import PvdifyModel

/// Answers, below the router, the requests that must not reach it, with the API's error envelope
/// and rate-limit headers, and closes their connections:
/// - a request the HTTP parser rejects: 400 `bad_request`;
/// - a declared `Content-Length` over the body limit: 413 `payload_too_large` at once, before any
///   of the body is read;
/// - a body without a declared length (chunked) that grows past the limit: the router answers
///   413 when it reads past the limit; the rest of the body is dropped and the connection closed
///   after that answer, instead of draining it.
final class RequestScreeningHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let maxBodyBytes: Int
    let limiter: RateLimiter
    let logger: Logger

    private var readingRequest = false
    private var answering = false
    private var bodyBytes = 0
    private var droppingBody = false
    private var finished = false

    init(maxBodyBytes: Int, limiter: RateLimiter, logger: Logger) {
        self.maxBodyBytes = maxBodyBytes
        self.limiter = limiter
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let declared = head.headerFields[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
                refuse(context, Request.tooLarge(maxBodyBytes), reason: "declared body too large")
                return
            }
            readingRequest = true
            answering = true
            bodyBytes = 0
            droppingBody = false
        case .body(let buffer):
            guard !droppingBody else { return }
            bodyBytes += buffer.readableBytes
            if bodyBytes > maxBodyBytes {
                // Forward this part, so the router reads past its limit and answers 413; drop the rest.
                droppingBody = true
                if !answering {
                    close(context)
                    return
                }
            }
        case .end:
            readingRequest = false
            if droppingBody { return }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        answering = false
        if droppingBody {
            context.writeAndFlush(data, promise: promise)
            close(context)
        } else {
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !finished else { return }
        if readingRequest && answering {
            // The router is reading this body: it sees the error and answers (or notes the client gone).
            context.fireErrorCaught(error)
        } else if readingRequest || answering || ClientDisconnect.matches(error) {
            logger.debug("closing a connection after a read error", metadata: ["error": .string(String(describing: error))])
            close(context)
        } else {
            refuse(context, APIError(.badRequest, "bad_request", "The request is not valid HTTP/1.1"), reason: "\(error)")
        }
    }

    /// Writes `error` as the whole answer and closes the connection once it is sent.
    private func refuse(_ context: ChannelHandlerContext, _ error: APIError, reason: String) {
        finished = true
        let client = context.channel.remoteAddress?.ipAddress ?? "unknown"
        logger.debug("refusing a request below the router", metadata: ["reason": .string(reason), "client": .string(client)])
        guard !answering else {  // an earlier pipelined request is still being answered
            context.close(promise: nil)
            return
        }
        let body = ByteBuffer(bytes: error.envelope.serialized())
        var head = HTTPResponse(status: error.status)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        for field in error.headers { head.headerFields.append(field) }
        // These requests never reach authentication: they count against the client address.
        let decision = limiter.admit("addr:\(client)", deploy: false)
        head.headerFields[.rateLimitLimit] = String(decision.limit)
        head.headerFields[.rateLimitRemaining] = String(decision.remaining)
        head.headerFields[.rateLimitReset] = String(decision.reset)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func close(_ context: ChannelHandlerContext) {
        finished = true
        context.close(promise: nil)
    }
}
