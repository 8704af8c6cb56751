import ArgumentParser

struct PricingImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import")
    func run() throws {}
}
