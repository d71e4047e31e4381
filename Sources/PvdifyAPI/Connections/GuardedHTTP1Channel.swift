import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel (the same pipeline as `HTTP1Channel`) with pvdifyd's guards: a
/// cap on connections per client address, request head and body deadlines, and envelope answers
/// for requests refused before the router (`RequestScreeningHandler`).
struct GuardedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let clients: SlotsPerKey
    let maxBodyBytes: Int
    let limiter: RateLimiter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let client = channel.remoteAddress?.ipAddress ?? "unknown"
            let admitted = clients.take(client)
            if admitted {
                channel.closeFuture.whenComplete { [clients] _ in clients.give(client) }
            }
            let pipeline = channel.pipeline.syncOperations
            let deadlines = RequestDeadlineHandler(
                headerTimeout: limits.headerTimeout, bodyTimeout: limits.bodyTimeout, logger: logger)
            try pipeline.addHandler(deadlines)
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldCount = 1000  // Hummingbird's default
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // as HTTP1Channel: NIOAsyncChannel serialises requests
                withErrorHandling: false,  // RequestScreeningHandler answers parser errors
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(RequestPhaseReporter(deadlines: deadlines))
            try pipeline.addHandler(RequestScreeningHandler(maxBodyBytes: maxBodyBytes, limiter: limiter, logger: logger))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: limits.idleTimeout, logger: logger))
            let value = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            if !admitted {
                logger.debug("refusing a connection: too many from this client", metadata: [
                    "client": .string(client), "limit": .stringConvertible(clients.limit),
                ])
                try pipeline.addHandler(ConnectionRefuser(), position: .first)
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
