import Configuration

extension TidingsConfiguration {
    /// The variable a webhook sink's signing secret is read from unless its `--sink` names
    /// another (`secret-env=VAR`).
    public static let defaultWebhookSecretVariable = "TIDINGS_WEBHOOK_SECRET"

    /// The configuration providers that read `environment`, in the order of precedence:
    ///
    /// 1. `TIDINGS_<FLAG>` for every setting (`TIDINGS_AUTH_TOKEN` is `auth-token`), tokens,
    ///    passwords and the default webhook secret marked secret;
    /// 2. the variables that `--sink …;secret-env=VAR` names, for webhook secrets only: this
    ///    provider answers the keys `secret-env.VAR` (``webhookSecretKey(_:)``) and nothing else,
    ///    every value secret.
    ///
    /// `tidings serve` puts them after its flags and before a `--config` file; tests build
    /// their readers with them too, so the environment is read one way everywhere.
    public static func environmentProviders(_ environment: [String: String]) -> [any ConfigProvider] {
        [
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific([
                    "TIDINGS_AUTH_TOKEN", "TIDINGS_API_TOKEN", defaultWebhookSecretVariable, "TIDINGS_STORE_PASSWORD",
                    "TIDINGS_TWILIO_API_SECRET",
                ])
            ).prefixKeys(with: "tidings"),
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .all).mapKeys { key in
                guard key.components.count == 2, key.components[0] == webhookSecretNamespace else {
                    // A name no variable is expected to have: other settings are not read here.
                    return AbsoluteConfigKey(["tidings", "secret", "env", "lookups", "only"])
                }
                return AbsoluteConfigKey([key.components[1]])
            },
        ]
    }

    /// The key under which the secret in the environment variable `variable` is read.
    public static func webhookSecretKey(_ variable: String) -> ConfigKey {
        ConfigKey([webhookSecretNamespace, variable])
    }

    private static let webhookSecretNamespace = "secret-env"
}
