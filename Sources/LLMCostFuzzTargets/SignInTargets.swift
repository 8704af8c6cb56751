import Foundation
import LLMCostProviders

extension FuzzTarget {
    /// A token endpoint's reply (`TokenReply`), read for each grant with a success and a failure
    /// status: it yields a credential or a `SignInError`, never a crash. An accepted credential
    /// carries the reply's own token and an expiry a store can write; a failure status never
    /// yields one; only a refused refresh asks for a new sign-in.
    public static let tokenReply = FuzzTarget(
        name: "token-reply",
        seeds: [
            #"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1","scope":"a b"}"#,
            #"{"access_token":"at-2","token_type":"bearer","expires_in":"120"}"#,
            #"{"access_token":"","expires_in":1e308,"token_type":"mac"}"#,
            #"{"error":"invalid_grant","error_description":"revoked"}"#,
            #"{"key":"sk-or-v1-abc","user_id":"u"}"#,
            #"{"access_token":"\u0000\ud83d\ude00","expires_in":-5,"refresh_token":""}"#,
            #"[1,2,3]"#, "", "not json",
        ],
        body: { input throws(InvariantViolation) in try TokenReplyTarget.run(input) })
}

enum TokenReplyTarget {
    static func run(_ input: [UInt8]) throws(InvariantViolation) {
        let body = Data(input)
        let previous = StoredCredential(kind: .oauth, secret: "old", refreshToken: "old-refresh", obtainedAt: Date(timeIntervalSince1970: 0))
        let issued = Date(timeIntervalSince1970: 1_800_000_000)
        for grant in TokenReply.Grant.allCases {
            let reply = TokenReply(provider: "fuzz", grant: grant, issued: issued)
            for status in [200, 400] {
                do {
                    let credential = try reply.credential(status: status, body: body, previous: grant == .refreshToken ? previous : nil)
                    guard status == 200 else { throw InvariantViolation("token-reply: status \(status) gave a credential") }
                    guard !credential.secret.isEmpty else { throw InvariantViolation("token-reply: an empty secret was accepted") }
                    if grant == .refreshToken, credential.refreshToken == nil {
                        throw InvariantViolation("token-reply: a refresh lost the refresh token")
                    }
                    do {
                        _ = try StoredCredential.decoded(from: try credential.encoded())
                    } catch {
                        throw InvariantViolation("token-reply: an accepted credential does not round-trip: \(error)")
                    }
                } catch let error as SignInError {
                    if error.needsSignIn, !(grant == .refreshToken && status == 400) {
                        throw InvariantViolation("token-reply: only a refused refresh asks to sign in again, not \(grant) \(status)")
                    }
                } catch let violation as InvariantViolation {
                    throw violation
                } catch {
                    throw InvariantViolation("token-reply: threw \(type(of: error))")
                }
            }
        }
    }
}
