#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file (or standard input) line by line in constant memory, handing each line to a
/// closure as raw bytes without its terminator (`\n` or `\r\n`).
public struct LineReader: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    private let fileDescriptor: Int32
    private let ownsDescriptor: Bool
    public let path: String
    private let chunkSize = 1 << 20

    /// Opens `path`, or standard input when `path` is `-`.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            fileDescriptor = 0
            ownsDescriptor = false
        } else {
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
            fileDescriptor = descriptor
            ownsDescriptor = true
        }
    }

    /// The file's size in bytes, when it is a regular file (for progress).
    public var size: Int64? {
        var info = stat()
        guard fstat(fileDescriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Calls `body` with each line's bytes, its 1-based number and the bytes read so far.
    /// A final line without a newline is delivered too. Closes the file when done.
    public func forEachLine(
        _ body: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ bytesRead: Int64) throws -> Void
    ) throws {
        defer { if ownsDescriptor { close(fileDescriptor) } }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var pending = [UInt8]()
        var lineNumber = 0
        var bytesRead: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytesRead += Int64(count)
            try buffer.withUnsafeBufferPointer { chunk in
                guard let base = chunk.baseAddress else { return }
                var start = 0
                while start < count,
                    let found = memchr(base + start, Int32(UInt8(ascii: "\n")), count - start)
                {
                    let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    lineNumber += 1
                    if pending.isEmpty {
                        try body(Self.trimCR(UnsafeBufferPointer(rebasing: chunk[start..<index])), lineNumber, bytesRead)
                    } else {
                        pending.append(contentsOf: chunk[start..<index])
                        try pending.withUnsafeBufferPointer { try body(Self.trimCR($0), lineNumber, bytesRead) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = index + 1
                }
                pending.append(contentsOf: chunk[start..<count])
            }
        }
        if !pending.isEmpty {
            lineNumber += 1
            try pending.withUnsafeBufferPointer { try body(Self.trimCR($0), lineNumber, bytesRead) }
        }
    }

    private static func trimCR(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        if let last = line.last, last == UInt8(ascii: "\r") {
            return UnsafeBufferPointer(rebasing: line[..<(line.count - 1)])
        }
        return line
    }
}
