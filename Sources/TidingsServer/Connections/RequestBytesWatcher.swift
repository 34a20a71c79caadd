import Logging
import NIOCore
import NIOHTTP1

/// Sits first in a connection's pipeline and tells its ``ConnectionGuard`` that bytes
/// arrived, so that the header timeout of a kept-alive connection's next request counts
/// from its first byte (the guard, behind the HTTP decoder, sees only whole headers).
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let guardHandler: ConnectionGuard
    private var guardContext: ChannelHandlerContext?

    init(guardHandler: ConnectionGuard) {
        self.guardHandler = guardHandler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if guardContext == nil {
            guardContext = try? context.pipeline.syncOperations.context(handler: guardHandler)
        }
        if let guardContext { guardHandler.bytesArrived(context: guardContext) }
        context.fireChannelRead(data)
    }
}
