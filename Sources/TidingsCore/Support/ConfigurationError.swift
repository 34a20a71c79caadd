import Foundation

/// A setting that cannot be used, in words that say which and why.
///
/// It lives here, beside ``SinkSpecification`` (which throws it), so that parsing a setting
/// needs no server; TidingsServer re-exports the name.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The flag's name (without `--`); the environment variable is `TIDINGS_` + it in capitals.
    public let setting: String
    /// What is wrong with its value, in words for the person who set it.
    public let problem: String

    /// The error for `setting` (without `--`) and its `problem`.
    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String {
        let variable = "TIDINGS_" + setting.uppercased().replacingOccurrences(of: "-", with: "_")
        return "--\(setting) (\(variable)) \(problem)"
    }
}
