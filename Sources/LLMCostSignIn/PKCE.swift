import LLMCostCore

/// A PKCE pair (RFC 7636): the verifier this process keeps, the challenge the browser carries.
/// Whoever intercepts the redirect's code cannot exchange it without the verifier.
public struct PKCE: Sendable, Hashable {
    /// 32 random bytes, base64url: 43 characters from the unreserved set (section 4.1).
    public let verifier: String

    public init(verifier: String) {
        self.verifier = verifier
    }

    /// A fresh pair from the system's cryptographic random source.
    public static func random() -> PKCE {
        PKCE(verifier: Base64URL.randomString(bytes: 32))
    }

    /// `BASE64URL(SHA256(verifier))`, the S256 method (section 4.2).
    public var challenge: String {
        Base64URL.encode(SHA256.digest(Array(verifier.utf8)))
    }
}

/// base64url without padding (RFC 4648 section 5), as OAuth uses it.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            let count = min(3, bytes.count - index) + 1
            for position in 0..<count { out.append(alphabet[Int((group >> UInt32(18 - 6 * position)) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `bytes` random bytes (`SystemRandomNumberGenerator`: getrandom(2) on Linux), encoded.
    static func randomString(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return encode((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
