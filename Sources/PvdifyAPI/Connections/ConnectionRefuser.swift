import NIOCore

/// Closes a connection as soon as it is set up: its client already holds its share of connections.
final class ConnectionRefuser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }  // then channelActive closes it
        // On the next turn of the loop, so the connection's setup completes first.
        context.eventLoop.assumeIsolated().execute { context.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
