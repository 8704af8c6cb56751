/// Replaces `${VAR}` with the environment's value, so secrets and hosts stay out of config
/// files. `$$` writes a literal `$`. An unset variable is an error, not an empty string: a
/// silently empty header or URL is much harder to diagnose.
enum VariableSubstitution {
    static func substitute(_ text: String, environment: [String: String], path: String) throws(ProviderSettingsError) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "$", next < text.endIndex, text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
            } else if character == "$", next < text.endIndex, text[next] == "{",
                let close = text[next...].firstIndex(of: "}")
            {
                let name = String(text[text.index(after: next)..<close])
                guard let value = environment[name] else { throw .undefinedVariable(path, variable: name) }
                output += value
                index = text.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }
}
