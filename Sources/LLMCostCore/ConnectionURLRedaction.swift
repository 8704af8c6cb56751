/// Connection URLs with their passwords taken out, for anything printed or logged.
public enum ConnectionURLRedaction {
    /// `text` with the password of `scheme://user:password@host` and of a `password=` query
    /// option replaced by `***`; text without either comes back unchanged. Works on URLs that
    /// do not parse too: a malformed URL is still never printed with its password.
    public static func redacting(_ text: String) -> String {
        var text = text
        if let range = text.range(of: #"([?&])password=[^&#]*"#, options: .regularExpression) {
            let separator = text[range].first.map(String.init) ?? "?"
            text.replaceSubrange(range, with: separator + "password=***")
        }
        guard let schemeEnd = text.range(of: "://") else { return text }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        return text
    }
}
