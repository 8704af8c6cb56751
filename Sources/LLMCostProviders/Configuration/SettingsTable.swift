import Foundation
import LLMCostCore

/// One table of provider settings being read: typed values, `${VAR}` substituted, and errors
/// that name `path.key`. What `[providers.NAME]` and `[providers.NAME.oauth]` share.
struct SettingsTable {
    /// `providers.NAME` or `providers.NAME.oauth`.
    let path: String
    let values: [String: ConfigValue]
    let environment: [String: String]

    /// A string value, with `${VAR}` replaced from the environment.
    func string(_ key: String) throws(ProviderSettingsError) -> String? {
        guard let value = values[key] else { return nil }
        guard case .string(let text) = value else { throw .wrongType("\(path).\(key)", expected: "a string", found: value) }
        return try VariableSubstitution.substitute(text, environment: environment, path: "\(path).\(key)")
    }

    /// An http(s) URL with a host.
    func httpURL(_ key: String) throws(ProviderSettingsError) -> URL? {
        guard let text = try string(key) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw .invalidValue("\(path).\(key)", "expected an http(s) URL, found `\(text)`")
        }
        return url
    }
}
