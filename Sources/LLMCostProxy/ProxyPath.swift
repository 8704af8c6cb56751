import Foundation

/// A request path as the upstream will read it, so that what the proxy routes and meters is what
/// the upstream serves: percent-escapes of ordinary characters decoded (`/v1/%63hat/completions`
/// is the chat endpoint to the upstream), empty and `.` segments dropped, `..` applied. A pure
/// function of the path.
public enum ProxyPath {
    /// The normalized path; `nil` for a path no upstream should be sent: a `..` above the root,
    /// an escaped `/`, `\`, `?`, `#` or `%` (which would route differently once decoded), a
    /// control character, or escapes that are not UTF-8.
    public static func normalize(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        if isPlain(path) { return path }
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            guard let segment = decode(raw) else { return nil }
            switch segment {
            case "", ".": continue
            case "..":
                guard !segments.isEmpty else { return nil }
                segments.removeLast()
            default: segments.append(segment)
            }
        }
        // A trailing slash stays: it is the client's to send, and the meter ignores it.
        let trailing = path.count > 1 && (path.hasSuffix("/") || path.hasSuffix("/.")) && !segments.isEmpty
        return "/" + segments.joined(separator: "/") + (trailing ? "/" : "")
    }

    /// Whether `path` is already normal: no escape, no empty or dot segment, nothing to reject.
    /// The common case, answered in one pass over the bytes.
    private static func isPlain(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "\\"), 0..<0x20, 0x7F: return false
            case UInt8(ascii: "/") where previous == UInt8(ascii: "/"): return false
            case UInt8(ascii: ".") where previous == UInt8(ascii: "/"): return false
            default: break
            }
            previous = byte
        }
        return true
    }

    /// One segment with its escapes decoded; `nil` when an escape would change the path's shape.
    private static func decode(_ segment: Substring) -> String? {
        guard segment.contains("%") else {
            return segment.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" } ? nil : String(segment)
        }
        guard let decoded = segment.removingPercentEncoding else { return nil }
        for scalar in decoded.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F || "/\\?#%".unicodeScalars.contains(scalar) {
            return nil
        }
        return decoded
    }

    /// `path` (normalized) escaped for a URL again: what goes upstream.
    public static func escaped(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: pathCharacters) ?? path
    }
    private static let pathCharacters: CharacterSet = {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ";")
        return allowed
    }()
}
