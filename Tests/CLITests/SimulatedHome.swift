import Foundation
import LLMCostSimulator

/// What most end-to-end tests start with: a provider simulator on loopback and a fresh home
/// folder for the binary. `close()`, in the test's `defer`, stops the one and removes the other.
final class SimulatedHome: Sendable {
    let simulator: ProviderSimulator
    let home: URL

    init(authorization: SimulatedAuthorization? = nil) throws {
        simulator = ProviderSimulator(authorization: authorization)
        try simulator.start()
        do {
            home = try CLIRunner.temporaryDirectory()
        } catch {
            simulator.stop()
            throw error
        }
    }

    func close() {
        simulator.stop()
        try? FileManager.default.removeItem(at: home)
    }
}
