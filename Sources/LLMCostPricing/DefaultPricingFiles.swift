/// The default table's files, embedded in the binary by SwiftPM (`DefaultTable` is a symlink
/// to the package's `pricing/` folder), so `llm-cost` prices calls wherever it is copied.
///
/// A new provider file in `pricing/` must be added here too; `DefaultTableTests` fails until it is.
enum DefaultPricingFiles {
    static let all: [(name: String, bytes: [UInt8])] = [
        ("anthropic.toml", PackageResources.anthropic_toml),
        ("azure.toml", PackageResources.azure_toml),
        ("deepseek.toml", PackageResources.deepseek_toml),
        ("google.toml", PackageResources.google_toml),
        ("mistral.toml", PackageResources.mistral_toml),
        ("ollama.toml", PackageResources.ollama_toml),
        ("openai.toml", PackageResources.openai_toml),
        ("openrouter.toml", PackageResources.openrouter_toml),
        ("vllm.toml", PackageResources.vllm_toml),
        ("xai.toml", PackageResources.xai_toml),
    ]
}
