import ArgumentParser

/// The formats one command can print in, for `--format`, and the one it prints when none is
/// given. Requirements: string raw values as typed on the command line; `standard` is one of
/// `allCases`.
public protocol OutputFormatChoices: ExpressibleByArgument, CaseIterable, RawRepresentable, Sendable
where RawValue == String {
    static var standard: Self { get }
}

extension OutputFormatChoices {
    /// Any case: `--format JSON` is `--format json`.
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// `--format`, the one option every command that prints takes (`@OptionGroup var formatOption:
/// FormatOption<TextOrJSON>`, read as `formatOption.format`). A value outside the command's choices is a usage error at
/// parse time, naming the choices.
public struct FormatOption<Choices: OutputFormatChoices>: ParsableArguments {
    @Option(name: .customLong("format"), help: ArgumentHelp("Output format, default \(Choices.standard.rawValue)", valueName: "format"))
    public var given: Choices?

    public init() {}

    /// The format asked for, else the command's standard one.
    public var format: Choices { given ?? .standard }
}

/// `text` (for people) or `json` (for scripts).
public enum TextOrJSON: String, OutputFormatChoices {
    case text, json
    public static let standard = TextOrJSON.text
}

/// `table` (for people) or `json` (for scripts).
public enum TableOrJSON: String, OutputFormatChoices {
    case table, json
    public static let standard = TableOrJSON.table
}
