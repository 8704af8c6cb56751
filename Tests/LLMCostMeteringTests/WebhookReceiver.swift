import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A webhook endpoint on loopback for alert tests: a real socket speaking just enough HTTP/1.1
/// to take one POST per connection and answer it as scripted.
final class WebhookReceiver: @unchecked Sendable {
    /// How to answer one request.
    enum Answer {
        /// Reply with this status (and an empty body).
        case status(Int)
        /// Read the request, then say nothing until `release()` or `stop()`.
        case silence
    }

    struct Request {
        var method: String
        var path: String
        var headers: [String: String]
        var body: Data

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    private let lock = NSLock()
    private var script: [Answer] = []
    private var received: [Request] = []
    private var listener: Int32 = -1
    private let released = DispatchSemaphore(value: 0)
    private var silentCount = 0
    private var isReleased = false
    private(set) var port: UInt16 = 0

    var url: URL { URL(string: "http://127.0.0.1:\(port)/hooks/alerts")! }

    var requests: [Request] { lock.withLock { received } }

    /// Answers for the next requests, in order; after them every request gets 200.
    func script(_ answers: Answer...) {
        lock.withLock { script += answers }
    }

    /// Lets every silent connection, now and later, answer 200.
    func release() {
        let count = lock.withLock {
            isReleased = true
            defer { silentCount = 0 }
            return silentCount
        }
        for _ in 0..<count { released.signal() }
    }

    func start() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    close(fd)
                    return
                }
                Thread { [self] in serve(client) }.start()
            }
        }.start()
    }

    /// Stops listening and lets silent connections go.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        release()
    }

    private func serve(_ client: Int32) {
        defer {
            shutdown(client, Int32(SHUT_RDWR))
            close(client)
        }
        guard let request = read(client) else { return }
        let answer: Answer = lock.withLock {
            received.append(request)
            return script.isEmpty ? .status(200) : script.removeFirst()
        }
        var status = 200
        switch answer {
        case .status(let code): status = code
        case .silence:
            let wait = lock.withLock {
                if isReleased { return false }
                silentCount += 1
                return true
            }
            if wait { released.wait() }
        }
        let reply = "HTTP/1.1 \(status) Scripted\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
        _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    private func read(_ client: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var headEnd: Int?
        var contentLength = 0
        while true {
            if let end = headEnd, buffer.count >= end + 4 + contentLength { break }
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
            if headEnd == nil, let end = Self.find([13, 10, 13, 10], in: buffer) {
                headEnd = end
                let head = String(decoding: buffer[0..<end], as: UTF8.self).lowercased()
                for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        guard let end = headEnd else { return nil }
        var lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Request(
            method: requestLine.first ?? "", path: requestLine.count > 1 ? requestLine[1] : "", headers: headers,
            body: Data(buffer[(end + 4)..<(end + 4 + contentLength)]))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where Array(haystack[index..<(index + needle.count)]) == needle {
            return index
        }
        return nil
    }
}
