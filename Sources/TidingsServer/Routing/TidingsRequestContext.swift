import Hummingbird
import NIOCore

/// The request context of every Tidings route: Hummingbird's basic context plus the
/// address of the peer that opened the connection (the proxy's, behind one).
public struct TidingsRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection's peer; nil in in-process tests.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
