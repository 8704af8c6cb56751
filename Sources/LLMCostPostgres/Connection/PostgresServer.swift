import Foundation
import Logging
import LLMCostStore
import PostgresNIO
import Synchronization

/// A ledger's PostgreSQL server: a pooled `PostgresClient`, and synchronous transactions on it.
///
/// Lifecycle: `init` checks the server with one direct connection first, so that a server that
/// is down, a refused login or a missing database is a clear error at once (the pooled client
/// alone retries such failures quietly until a caller's timeout), then starts the client's
/// `run()` on the bridge's executor. `shutdown()` (or `deinit`) cancels it, closing every
/// connection. Every wait has a timeout: `connectTimeout` to get a connection, `statementTimeout`
/// for one statement.
package final class PostgresServer: Sendable {
    /// Timeouts and pool size.
    package struct Options: Sendable {
        /// How long to wait for a connection (the URL's `connect_timeout` wins).
        package var connectTimeout: Duration = .seconds(10)
        /// How long one statement may take before the server cancels it (`statement_timeout`).
        package var statementTimeout: Duration = .seconds(60)
        /// The most connections this process opens.
        package var maximumConnections = 8

        package init() {}
    }

    package let location: PostgresLocation
    package let options: Options
    let client: PostgresClient
    private let runTask: Task<Void, Never>
    /// Connections leased from the client and kept between transactions (see `withConnection`).
    private let kept = Mutex<[KeptConnection]>([])
    private let isShutDown = Atomic<Bool>(false)
    /// Tasks listening for notifications (see `listen`), cancelled at shutdown.
    private let listeners = Mutex<[Task<Void, Never>]>([])
    static let logger = Logger(label: "llm-cost.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects to the server `location` names, with `password` (see `PostgresPassword`).
    package init(location: PostgresLocation, password: String?, options: Options = Options()) throws(LedgerError) {
        var options = options
        if let timeout = location.connectTimeout { options.connectTimeout = timeout }
        self.location = location
        self.options = options
        let tls = Self.tls(for: location)
        var configuration: PostgresClient.Configuration
        if location.isUnixSocket {
            configuration = .init(unixSocketPath: location.unixSocketPath, username: location.user, password: password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user, password: password, database: location.database, tls: tls.forClient)
        }
        configuration.options.connectTimeout = options.connectTimeout
        configuration.options.maximumConnections = options.maximumConnections
        // The ledger's tables are found in their own schema; sessions say who they are.
        configuration.options.additionalStartupParameters = [
            ("application_name", location.applicationName ?? "llm-cost"), ("search_path", PostgresSchema.name),
            // The server cancels a statement past its time and the connection stays usable;
            // the bridge's own wait, a little longer, is for a server that stops answering.
            ("statement_timeout", String(options.statementTimeout.nanoseconds / 1_000_000)),
        ]
        try Self.probe(location: location, password: password, tls: try tls.forConnection(location), options: options)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.logger)
        self.client = client
        runTask = Task(executorPreference: BridgeExecutor.shared) { await client.run() }
    }

    deinit { shutdown() }

    /// Closes every connection.
    package func shutdown() {
        isShutDown.store(true, ordering: .relaxed)
        for listener in listeners.withLock({ listeners -> [Task<Void, Never>] in defer { listeners.removeAll() }; return listeners }) {
            listener.cancel()
        }
        for held in kept.withLock({ kept -> [KeptConnection] in defer { kept.removeAll() }; return kept }) { held.release() }
        runTask.cancel()
    }

    /// Calls `onNotification` for every notification on `channel`, on a pooled connection kept
    /// for it, until the returned task is cancelled or the server shut down; also once each time
    /// listening (re)starts, since what was sent while it was down is lost. A lost connection is
    /// replaced after a second.
    package func listen(on channel: String, _ onNotification: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        let task = Task(executorPreference: BridgeExecutor.shared) { [client, weak self] in
            while !Task.isCancelled, self?.isShutDown.load(ordering: .relaxed) == false {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            onNotification()
                            for try await _ in notifications { onNotification() }
                        }
                    }
                } catch {
                    // Gone or cancelled: the loop's condition decides.
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        listeners.withLock { $0.append(task) }
        return task
    }

    /// One direct connection, opened and closed: the server's own answer to "can I connect?".
    private static func probe(location: PostgresLocation, password: String?, tls: PostgresConnection.Configuration.TLS, options: Options) throws(LedgerError) {
        var configuration: PostgresConnection.Configuration
        if location.isUnixSocket {
            configuration = .init(unixSocketPath: location.unixSocketPath, username: location.user, password: password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user, password: password, database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .nanoseconds(options.connectTimeout.nanoseconds)
        let probeConfiguration = configuration
        let redacted = location.redacted
        let waited = options.connectTimeout
        do {
            try BlockingBridge.wait(timeout: waited + .seconds(1), timeoutError: {
                .unreachable(redacted, detail: "no connection within \(waited)")
            }) {
                let connection = try await PostgresConnection.connect(configuration: probeConfiguration, id: 0, logger: logger)
                try await connection.close()
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw translate(error, location: location)
        }
    }

    /// The TLS `sslmode` asks for: none, when the server offers it, or required; and what is
    /// checked of the server's certificate.
    private struct TLSChoice {
        var configuration: TLSConfiguration?
        var required: Bool

        var forClient: PostgresClient.Configuration.TLS {
            guard let configuration else { return .disable }
            return required ? .require(configuration) : .prefer(configuration)
        }

        func forConnection(_ location: PostgresLocation) throws(LedgerError) -> PostgresConnection.Configuration.TLS {
            guard let configuration else { return .disable }
            do {
                let context = try NIOSSLContext(configuration: configuration)
                return required ? .require(context) : .prefer(context)
            } catch {
                throw .invalidLocation(location.redacted, detail: "TLS cannot be set up: \(error)")
            }
        }
    }

    private static func tls(for location: PostgresLocation) -> TLSChoice {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable:
            return TLSChoice(configuration: nil, required: false)
        case .allow, .prefer, .require:
            configuration.certificateVerification = .none
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        if let file = location.sslRootCertificate {
            configuration.trustRoots = .file(file)
        }
        return TLSChoice(configuration: configuration, required: location.sslMode != .allow && location.sslMode != .prefer)
    }

    /// Runs `body` on one pooled connection.
    ///
    /// A connection leased from the client is kept for the next caller once `body` returns
    /// (leasing one costs a task and two hand-offs, several times a statement's round trip), up
    /// to the pool's size; one found closed (the server restarted) is given back and another
    /// leased. `shutdown()` gives every kept one back.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        while let kept = kept.withLock({ $0.popLast() }) {
            guard !kept.connection.isClosed else {
                kept.release()
                continue
            }
            return try use(kept, body)
        }
        let lease = ConnectionLease()
        let client = client
        let redacted = location.redacted
        let waited = options.connectTimeout
        let task = Task(executorPreference: BridgeExecutor.shared) {
            do {
                try await client.withConnection { connection in await lease.hold(connection) }
            } catch {
                lease.fail(error)
            }
        }
        switch lease.waitForConnection(timeout: waited) {
        case .connection(let connection):
            return try use(KeptConnection(connection: connection, lease: lease), body)
        case .failed(let error):
            lease.release()
            throw Self.translate(error, location: location)
        case .timedOut:
            lease.release()
            task.cancel()
            throw LedgerError.unreachable(redacted, detail: "no connection from the pool within \(waited)")
        }
    }

    /// Runs `body` on `held`, then keeps it for the next caller, unless it closed meanwhile,
    /// the body failed on it (it may be mid-statement or broken), or enough are kept already.
    private func use<T>(_ held: KeptConnection, _ body: (PostgresConnection) throws -> T) throws -> T {
        let result: T
        do {
            result = try body(held.connection)
        } catch {
            held.release()
            throw error
        }
        let maximum = options.maximumConnections
        let keep = !held.connection.isClosed && !isShutDown.load(ordering: .relaxed) && kept.withLock { kept -> Bool in
            guard kept.count < maximum else { return false }
            kept.append(held)
            return true
        }
        if !keep { held.release() }
        return result
    }

    /// Runs one statement outside any transaction (`CREATE DATABASE` cannot run inside one).
    package func executeOutsideTransaction(_ statement: String) throws {
        try withConnection { connection in
            try PostgresSQL(connection: connection, server: self).execute(statement, [])
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back
    /// when it throws.
    /// `begin` opens it (`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` for reads that must
    /// see one snapshot across statements).
    package func transaction<T>(begin: String = "BEGIN", _ body: (any LedgerSQL) throws -> T) throws -> T {
        try withConnection { connection in
            let sql = PostgresSQL(connection: connection, server: self)
            sql.send(begin)
            do {
                let result = try body(sql)
                let committed = try sql.commit()
                // A statement sent without waiting that failed aborted the transaction: the
                // server answers COMMIT with ROLLBACK, and its error is the one to report.
                if let failure = sql.deferredFailure() { throw failure }
                guard committed else {
                    throw LedgerError.server(location.redacted, detail: "the transaction was rolled back by the server")
                }
                return result
            } catch {
                let failure = sql.deferredFailure()
                _ = try? sql.execute("ROLLBACK", [])
                throw failure ?? error
            }
        }
    }

    /// The error a user reads: what failed, on which server and database, never the password
    /// (the server's messages do not hold it; postgres-nio's descriptions are not used).
    static func translate(_ error: any Error, location: PostgresLocation) -> LedgerError {
        let redacted = location.redacted
        let server = location.serverDescription
        guard let error = error as? PSQLError else {
            if let error = error as? LedgerError { return error }
            if error is CancellationError { return .timedOut(redacted, detail: "cancelled") }
            return .unreachable(redacted, detail: "\(server): \(Self.describe(error))")
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "error \(state)"
            switch state {
            case "28P01", "28000":
                return .authentication(redacted, detail: "\(server): \(message)")
            case "3D000":
                return .missingDatabase(redacted, detail: "\(server): \(message)")
            case "57014":
                return .timedOut(redacted, detail: "a statement ran past the statement timeout and was cancelled")
            case "57P01", "57P02", "57P03", "53300":
                return .unreachable(redacted, detail: "\(server): \(message)")
            default:
                return .server(redacted, detail: "\(message) (SQLSTATE \(state))")
            }
        case .authMechanismRequiresPassword:
            return .authentication(
                redacted, detail: "\(server): the server asks for a password and none was found")
        case .saslError, .unsupportedAuthMechanism:
            return .authentication(redacted, detail: "\(server): the login could not be completed (\(error.code))")
        case .sslUnsupported:
            return .unreachable(redacted, detail: "\(server): the server does not offer TLS, which sslmode=\(location.sslMode.rawValue) requires")
        case .queryCancelled:
            return .timedOut(redacted, detail: "the statement was cancelled")
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed:
            let cause = error.underlying.map(Self.describe) ?? "\(error.code)"
            return .unreachable(redacted, detail: "\(server): \(cause)")
        default:
            return .server(redacted, detail: "\(server): \(error.code)")
        }
    }

    /// A network error's text (NIO's errors name the address, not the credentials).
    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        if let error = error as? ChannelError, case .connectTimeout(let amount) = error {
            return "no answer within \(Duration.nanoseconds(amount.nanoseconds))"
        }
        return String(describing: error)
    }
}

/// A connection leased from the client, and the lease that gives it back.
private struct KeptConnection: Sendable {
    let connection: PostgresConnection
    let lease: ConnectionLease

    func release() { lease.release() }
}

/// One pooled connection handed from the client's task to a synchronous caller, and back.
private final class ConnectionLease: Sendable {
    enum Outcome {
        case connection(PostgresConnection)
        case failed(any Error)
        case timedOut
    }

    private struct State {
        var connection: PostgresConnection?
        var error: (any Error)?
        var released = false
        var giveBack: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    /// In the client's task: offers the connection and keeps it until `release()`.
    func hold(_ connection: PostgresConnection) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let releasedAlready = state.withLock { state -> Bool in
                state.connection = connection
                if state.released { return true }
                state.giveBack = continuation
                return false
            }
            ready.signal()
            if releasedAlready { continuation.resume() }
        }
    }

    func fail(_ error: any Error) {
        state.withLock { $0.error = error }
        ready.signal()
    }

    func waitForConnection(timeout: Duration) -> Outcome {
        guard ready.wait(timeout: .now() + .nanoseconds(Int(clamping: timeout.nanoseconds))) == .success else { return .timedOut }
        return state.withLock { state in
            if let connection = state.connection { return .connection(connection) }
            return .failed(state.error ?? CancellationError())
        }
    }

    /// Gives the connection back to the pool (at once, or as soon as it arrives).
    func release() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            defer { state.giveBack = nil }
            return state.giveBack
        }
        continuation?.resume()
    }
}
