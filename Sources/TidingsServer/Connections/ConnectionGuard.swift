import Logging
import NIOCore
import NIOHTTP1

/// Watches one HTTP/1 connection between NIO's HTTP codec and Hummingbird, and holds it to
/// the rules a public listener needs:
///
/// - **Timeouts** (``ConnectionLimits``): the headers must arrive within `headerTimeout`
///   (counted from the opening, or from the first byte of a later request), the body within
///   `bodyTimeout` of the headers, and a kept-alive connection may wait `idleTimeout` for
///   its next request. A connection past one is closed (a late header gets `408` first).
///   Slowloris clients therefore hold a connection for seconds, not forever.
/// - **`Host`**: an HTTP/1.1 request without one is answered `400` and the connection
///   closed, as RFC 9112 requires (without it the signed URL cannot be rebuilt).
/// - **`Expect: 100-continue`** is answered `100 Continue`, so clients such as curl send
///   their body at once instead of waiting a second for an answer that never comes.
/// - **HTTP/1.0**: answers carry the request's version (never chunked: HTTP/1.0 has no
///   chunked encoding; a body of unknown length ends with the connection) and
///   `Connection: close`, and the connection is closed after the answer.
///
/// It also tells the ``ConnectionRegistry`` when a request is under way, so that only
/// connections without one are closed to make room.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Phase {
        /// Waiting for a request's first byte (after an answer).
        case idle
        /// Bytes of a request arrived, its headers have not.
        case readingHead
        /// Headers arrived; reading the body.
        case readingBody
        /// The request arrived whole; the answer is being made.
        case answering
        /// Refused or closing: nothing more is read.
        case closing
    }

    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private let logger: Logger
    /// A connection starts out waiting for its first request's headers.
    private var phase = Phase.readingHead
    private var timer: Scheduled<Void>?
    private var requestVersion = HTTPVersion.http1_1
    private var closeAfterAnswer = false

    init(limits: ConnectionLimits, registry: ConnectionRegistry, logger: Logger) {
        self.limits = limits
        self.registry = registry
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        registry.opened(context.channel)
        arm(limits.headerTimeout, context: context, reason: "headers not received in time", answer408: true)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        registry.closed(context.channel)
        context.fireChannelInactive()
    }

    /// Called by ``RequestBytesWatcher`` for every read from the socket.
    func bytesArrived(context: ChannelHandlerContext) {
        guard case .idle = phase else { return }
        phase = .readingHead
        arm(limits.headerTimeout, context: context, reason: "headers not received in time", answer408: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let head):
            guard phase != .closing else { return }
            requestVersion = head.version
            if head.version == .http1_1, !head.headers.contains(name: "host") {
                refuse(context: context, status: .badRequest, message: "An HTTP/1.1 request must carry a Host header.")
                return
            }
            closeAfterAnswer = head.version.major < 1 || (head.version.major == 1 && head.version.minor == 0)
                || !head.isKeepAlive
            phase = .readingBody
            registry.busy(context.channel)
            arm(limits.bodyTimeout, context: context, reason: "body not received in time", answer408: false)
            if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .body:
            guard phase == .readingBody else { return }
        case .end:
            guard phase == .readingBody else { return }
            phase = .answering
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status != .continue:
            // Hummingbird answers in HTTP/1.1 whatever the request said; an HTTP/1.0 client
            // must get HTTP/1.0, which NIO then neither chunks nor keeps alive.
            head.version = requestVersion
            if closeAfterAnswer {
                head.headers.replaceOrAdd(name: "connection", value: "close")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            guard closeAfterAnswer || phase == .closing else {
                context.write(data, promise: promise)
                if phase == .answering {
                    phase = .idle
                    registry.idle(context.channel)
                    arm(limits.idleTimeout, context: context, reason: "idle", answer408: false)
                }
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            phase = .closing
            written.futureResult.whenComplete { [context] _ in context.close(promise: nil) }
        default:
            context.write(data, promise: promise)
        }
    }

    private func arm(_ timeout: Duration, context: ChannelHandlerContext, reason: String, answer408: Bool) {
        timer?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let (handler, context) = loopBound.value
            handler.timedOut(context: context, reason: reason, answer408: answer408)
        }
    }

    private func timedOut(context: ChannelHandlerContext, reason: String, answer408: Bool) {
        timer = nil
        logger.debug("closing a connection", metadata: ["reason": "\(reason)", "peer": "\(context.channel.remoteAddress?.description ?? "?")"])
        if answer408, phase == .readingHead {
            refuse(context: context, status: .requestTimeout, message: "The request's headers did not arrive in time.")
        } else {
            phase = .closing
            context.close(promise: nil)
        }
    }

    /// Answers `status` with Tidings' JSON error and closes the connection.
    private func refuse(context: ChannelHandlerContext, status: HTTPResponseStatus, message: String) {
        phase = .closing
        timer?.cancel()
        timer = nil
        let body = #"{"error":{"code":"\#(status == .badRequest ? "bad_request" : "request_timeout")","message":"\#(message)"}}"#
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        headers.add(name: "content-length", value: "\(body.utf8.count)")
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: requestVersion, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [context] _ in context.close(promise: nil) }
    }
}
