import NIOCore

/// Ends a connection whose request line stays incomplete for too long.
///
/// Every connection has its own task, so a client that trickles one byte a second never blocks the others; but
/// without a deadline it would hold a connection slot, and up to 1 MiB of line buffer, forever. Real clients
/// write a whole line at once (a terminal sends it on Enter), so a line that has not ended `timeout` after its
/// first byte is abandoned: this handler fires `Expired` down the pipeline and the connection's task answers
/// it with -32600 and closes. An idle connection between lines is not timed: `orkctl watch` and other
/// subscribers may stay quiet for hours.
///
/// It sits before the line decoder and only watches the bytes go by.
final class PartialLineTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The line begun `timeout` ago has still not ended.
    struct Expired: Error, CustomStringConvertible {
        let timeout: TimeAmount

        var description: String {
            "request line not completed within \(timeout.nanoseconds / 1_000_000_000) s; closing the connection"
        }
    }

    /// How long a line may take from its first byte to its newline.
    static let defaultTimeout = TimeAmount.seconds(10)

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount = PartialLineTimeoutHandler.defaultTimeout) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytesView
        if let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            // Every line begun so far has ended; what follows the last newline starts a new one (and its clock).
            cancelDeadline()
            if newline < bytes.index(before: bytes.endIndex) { armDeadline(context: context) }
        } else if !bytes.isEmpty && deadline == nil {
            armDeadline(context: context)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadline()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
    }

    private func armDeadline(context: ChannelHandlerContext) {
        let timeout = self.timeout
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.deadline = nil
            context.fireErrorCaught(Expired(timeout: timeout))
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }
}
