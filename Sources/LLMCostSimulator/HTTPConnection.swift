import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking HTTP/1.1 I/O on one accepted socket: read one request, write one response, close.
/// One connection per request (`Connection: close`) keeps the server simple and its
/// behaviour deterministic; clients open a fresh connection per call anyway.
struct HTTPConnection {
    let fd: Int32

    /// Why a request could not be read.
    struct ReadError: Error {
        var reason: String
    }

    /// Reads the request head and a `Content-Length` body.
    func readRequest() throws -> SimulatorRequest {
        var buffer = [UInt8]()
        var headEnd: Int?
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while headEnd == nil {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { throw ReadError(reason: "connection closed before the request head ended") }
            buffer.append(contentsOf: chunk[0..<count])
            headEnd = Self.headEnd(in: buffer)
            if buffer.count > 1 << 20 { throw ReadError(reason: "request head too large") }
        }
        guard let end = headEnd else { throw ReadError(reason: "no request head") }
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { throw ReadError(reason: "malformed request line") }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" { write("HTTP/1.1 100 Continue\r\n\r\n") }
        var body = Array(buffer[(end + 4)...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let count = recv(fd, &chunk, min(chunk.count, length - body.count), 0)
            guard count > 0 else { throw ReadError(reason: "connection closed mid-body") }
            body.append(contentsOf: chunk[0..<count])
        }
        let path = String(requestLine[1])
        return SimulatorRequest(
            method: String(requestLine[0]), path: path, headers: headers, body: Data(body), format: WireFormat(path: path))
    }

    private static func headEnd(in buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Writes all of `text`; `false` when the peer has gone (never raises SIGPIPE).
    @discardableResult
    func write(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeMutableBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    func writeHead(status: Int, headers: [(String, String)]) -> Bool {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return write(text + "\r\n")
    }

    /// One chunk of a `Transfer-Encoding: chunked` body.
    func writeChunk(_ text: String) -> Bool {
        let size = text.utf8.count
        guard size > 0 else { return true }
        return write(String(size, radix: 16) + "\r\n" + text + "\r\n")
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 302: return "Found"
        case 405: return "Method Not Allowed"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 529: return "Overloaded"
        default: return "Status"
        }
    }
}
