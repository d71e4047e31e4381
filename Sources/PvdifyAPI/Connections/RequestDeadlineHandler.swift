import Logging
import NIOCore

/// Cuts clients that send too slowly: a request head must be complete within `headerTimeout` of
/// its first byte (a slowloris never completes it), and a body must make progress at least every
/// `bodyTimeout`. It sits first in the pipeline, where it sees bytes before the HTTP decoder;
/// `RequestPhaseReporter`, behind the decoder, tells it where requests begin and end. Idle
/// keep-alive connections are Hummingbird's `idleTimeout`'s business.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    let logger: Logger

    private var context: ChannelHandlerContext?
    private var readingBody = false
    private var unansweredRequests = 0
    private var headClockRunning = false
    private var bytesWhileAnswering = false
    private var deadline: Scheduled<Void>?

    init(headerTimeout: Duration, bodyTimeout: Duration, logger: Logger) {
        self.headerTimeout = TimeAmount(headerTimeout)
        self.bodyTimeout = TimeAmount(bodyTimeout)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Before forwarding: the decoder may turn these bytes into a head at once.
        if readingBody {
            arm(bodyTimeout, reason: "request body stalled")
        } else if unansweredRequests > 0 {
            bytesWhileAnswering = true  // the next request, pipelined: its clock starts after this answer
        } else if !headClockRunning {
            startHeadClock()
        }
        context.fireChannelRead(data)
    }

    /// A request head was decoded: its body has `bodyTimeout` to make progress.
    func requestHeadReceived() {
        headClockRunning = false
        bytesWhileAnswering = false
        readingBody = true
        unansweredRequests += 1
        arm(bodyTimeout, reason: "request body stalled")
    }

    /// The request is complete; the server's answer may take as long as it needs (log streams).
    func requestEnded() {
        readingBody = false
        disarm()
    }

    /// An answer was written to its end.
    func responseEnded() {
        unansweredRequests = max(0, unansweredRequests - 1)
        if unansweredRequests == 0, !readingBody, bytesWhileAnswering {
            bytesWhileAnswering = false
            startHeadClock()
        }
    }

    private func startHeadClock() {
        headClockRunning = true
        arm(headerTimeout, reason: "request head not complete in time")
    }

    private func arm(_ timeout: TimeAmount, reason: String) {
        disarm()
        guard let context else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            deadline = nil
            logger.debug("closing a slow connection", metadata: [
                "reason": .string(reason), "client": .string(context.channel.remoteAddress?.ipAddress ?? "unknown"),
            ])
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
