import Foundation
import Hummingbird
import LLMCostProviders
import Logging
import NIOCore
import ServiceLifecycle

/// The loopback end of a native app's sign-in (RFC 8252 section 7.3): an HTTP server on
/// 127.0.0.1 that waits for the browser to come back to `path` with the authorization response,
/// answers it with a page saying what happened, and hands the query over.
struct LoopbackRedirect: Sendable {
    /// What came back to the redirect path.
    struct Response: Sendable {
        /// The query parameters (`code`, `state`, or `error`, `error_description`).
        var parameters: [String: String]
        /// What followed `path` (`/callback/STATE` gives `STATE`), empty when nothing did.
        var pathSuffix: String
    }

    let provider: String
    let port: UInt16
    let path: String

    /// Listens, calls `listening` with the bound port, and returns the first request to `path`
    /// (or to a path below it). Throws `SignInError` when nothing came within `timeout`.
    func awaitResponse(timeout: Duration, listening: @escaping @Sendable (UInt16) async throws -> Void) async throws -> Response {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let router = Router()
        let path = path, provider = provider
        for route in [RouterPath(path), RouterPath(path + "/{suffix}")] {
            router.get(route) { request, context -> Hummingbird.Response in
                var parameters: [String: String] = [:]
                for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
                continuation.yield(.response(Response(parameters: parameters, pathSuffix: context.parameters.get("suffix") ?? "")))
                return Self.page(provider: provider, parameters: parameters)
            }
        }
        var logger = Logger(label: "llm-cost.login")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: Int(port)), serverName: nil),
            onServerRunning: { channel in continuation.yield(.listening(UInt16(channel.localAddress?.port ?? 0))) },
            logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        let server = Task {
            do { try await group.run() } catch { continuation.yield(.failed(String(describing: error))) }
            continuation.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.yield(.timedOut)
        }
        defer { timer.cancel() }
        do {
            let response = try await next(events, listening: listening, timeout: timeout)
            await group.triggerGracefulShutdown()
            _ = await server.result
            return response
        } catch {
            await group.triggerGracefulShutdown()
            _ = await server.result
            throw error
        }
    }

    private enum Event: Sendable {
        case listening(UInt16)
        case response(Response)
        case failed(String)
        case timedOut
    }

    private func next(_ events: AsyncStream<Event>, listening: @Sendable (UInt16) async throws -> Void, timeout: Duration) async throws -> Response {
        for await event in events {
            switch event {
            case .listening(let bound): try await listening(bound)
            case .response(let response): return response
            case .failed(let reason):
                throw SignInError.redirect(provider, "cannot listen on 127.0.0.1:\(port) for the browser's return: \(reason)")
            case .timedOut:
                throw SignInError.timedOut(provider, "the browser did not come back within \(timeout.components.seconds) s: run `llm-cost login \(provider)` again")
            }
        }
        throw SignInError.redirect(provider, "the loopback listener stopped before the browser came back")
    }

    /// The page the browser shows after the redirect.
    static func page(provider: String, parameters: [String: String]) -> Hummingbird.Response {
        let failed = parameters["error"] != nil || parameters["code"] == nil
        let message = failed
            ? "Sign-in to \(escape(provider)) did not complete: \(escape(parameters["error"] ?? "no code")). Return to the terminal."
            : "Signed in to \(escape(provider)). You can close this tab and return to the terminal."
        let html = "<!doctype html><meta charset=utf-8><title>llm-cost</title><body style=\"font-family:sans-serif;margin:3em\"><p>\(message)</p></body>"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Hummingbird.Response(status: failed ? .badRequest : .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
