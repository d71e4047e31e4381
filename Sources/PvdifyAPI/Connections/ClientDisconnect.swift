import Foundation
import NIOCore
import NIOHTTP1

/// Errors that only mean the client went away (closed or reset its connection mid-request or
/// mid-answer): no answer is owed, and they are no fault of the server.
enum ClientDisconnect {
    static func matches(_ error: any Error) -> Bool {
        switch error {
        case HTTPParserError.invalidEOFState:
            return true  // the connection ended inside a request head or body
        case let error as IOError:
            return [ECONNRESET, EPIPE, ECONNABORTED, ETIMEDOUT].contains(error.errnoCode)
        case let error as ChannelError:
            return error == .ioOnClosedChannel || error == .eof || error == .outputClosed || error == .inputClosed
        default:
            return false
        }
    }
}
