import LLMCost

/// The providers the CLI knows: the environment presets today; the config file's
/// `[providers.NAME]` tables are layered on with `registry.configure(tables:)` once the config
/// module loads them (convert each table to `[String: SettingValue]`).
enum CLIProviderRegistry {
    static func load() throws -> ProviderRegistry {
        ProviderRegistry.fromProcessEnvironment()
    }
}
