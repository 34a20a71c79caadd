import Configuration
import Testing
import TidingsServer

@Suite("Configuration: flags over environment over defaults")
struct ConfigurationTests {
    func configuration(flags: [AbsoluteConfigKey: ConfigValue] = [:], environment: [String: String] = [:]) throws -> TidingsConfiguration {
        try TidingsConfiguration(reader: ConfigReader(
            providers: [InMemoryProvider(values: flags)] + TidingsConfiguration.environmentProviders(environment)))
    }

    @Test func webhookSecretsAreReadThroughTheReaderFromTheVariableEachSinkNames() throws {
        let read = try configuration(environment: [
            "TIDINGS_SINK": "webhook=https://a.example/h;name=a,webhook=https://b.example/h;name=b;secret-env=CRM_SIGNING_SECRET",
            "TIDINGS_WEBHOOK_SECRET": "whsec_ZGVmYXVsdA==", "CRM_SIGNING_SECRET": "whsec_Y3Jt", "HOST": "not-a-setting",
        ])
        #expect(read.webhookSecrets == ["TIDINGS_WEBHOOK_SECRET": "whsec_ZGVmYXVsdA==", "CRM_SIGNING_SECRET": "whsec_Y3Jt"])
        // The provider of named variables answers only secret-env lookups: HOST is no setting.
        #expect(read.host == "127.0.0.1")
        try read.checkSinks()
        #expect(!ConfigurationSummary(read).text.contains("Y3Jt"), "a secret is never printed")
    }

    @Test func reconciliationSignsInWithAnAPIKeyElseTheFirstAuthTokenAndNeverPrintsASecret() throws {
        let keyed = try configuration(environment: [
            "TIDINGS_TWILIO_API_KEY": "SK123", "TIDINGS_TWILIO_API_SECRET": "s3cr3t-value", "TIDINGS_AUTH_TOKEN": "tok-1,tok-2",
            "TIDINGS_RECONCILE_AFTER": "2h", "TIDINGS_RECONCILE_RATE": "2.5", "TIDINGS_TWILIO_API_URL": "http://127.0.0.1:9999",
        ])
        #expect(keyed.twilioAPICredentials == .apiKey(sid: "SK123", secret: "s3cr3t-value"))
        #expect(keyed.reconcileAfter == 7_200 && keyed.reconcileRate == 2.5 && keyed.twilioAPIURL == "http://127.0.0.1:9999")
        let summary = ConfigurationSummary(keyed).text
        #expect(summary.contains("API key SK123") && !summary.contains("s3cr3t-value") && !summary.contains("tok-1"))
        #expect("\(keyed.twilioAPICredentials!)" == "API key SK123", "interpolation shows no secret")

        let tokened = try configuration(environment: ["TIDINGS_AUTH_TOKEN": "tok-1,tok-2"])
        #expect(tokened.twilioAPICredentials == .accountAuthToken("tok-1"))
        #expect(tokened.reconcileAfter == 1_800 && tokened.reconcileRate == 5 && tokened.twilioAPIURL == "https://api.twilio.com")
        #expect(try configuration().twilioAPICredentials == nil)
    }

    @Test func theScheduleRunsEveryTenMinutesByDefaultAndTheSweepNeedsItsAccounts() throws {
        let account = "AC" + String(repeating: "a", count: 32)
        let defaults = try configuration(environment: ["TIDINGS_AUTH_TOKEN": "tok-1"])
        #expect(defaults.reconcileEvery == 600 && defaults.reconcileSweep == nil && defaults.twilioAccountSids.isEmpty)
        #expect(ConfigurationSummary(defaults).text.contains("every 10m; messages 30m quiet"))

        let sweeping = try configuration(environment: [
            "TIDINGS_AUTH_TOKEN": "tok-1", "TIDINGS_RECONCILE_EVERY": "1h", "TIDINGS_RECONCILE_SWEEP": "24h",
            "TIDINGS_TWILIO_ACCOUNT_SID": "\(account), AC\(String(repeating: "b", count: 32))",
        ])
        #expect(sweeping.reconcileEvery == 3_600 && sweeping.reconcileSweep == 86_400 && sweeping.twilioAccountSids.count == 2)
        #expect(ConfigurationSummary(sweeping).text.contains("every 1h, sweeping 1d of \(account)"))

        let off = try configuration(environment: ["TIDINGS_RECONCILE_EVERY": "0"])
        #expect(off.reconcileEvery == nil)
        #expect { try configuration(environment: ["TIDINGS_RECONCILE_SWEEP": "24h"]) } throws: { error in
            (error as? ConfigurationError)?.setting == "reconcile-sweep" && "\(error)".contains("twilio-account-sid")
        }
    }

    @Test func aSecretVariableThatIsNoVariableNameIsRefused() {
        #expect(throws: ConfigurationError.self) {
            try configuration(environment: ["TIDINGS_SINK": "webhook=https://a.example/h;secret-env=crm-secret"])
        }
    }

    @Test func theDefaultsAreLoopbackPort8080AndLocalData() throws {
        let defaults = try configuration()
        #expect(defaults.host == "127.0.0.1")
        #expect(defaults.port == 8080)
        #expect(defaults.dataDirectory == "./tidings-data")
        #expect(defaults.callbackPath == "/twilio/status")
        #expect(defaults.eventsPath == "/twilio/events")
        #expect(defaults.authTokens.isEmpty)
        #expect(defaults.eventLog == nil)
    }

    @Test func theEnvironmentIsReadWithTheTidingsPrefix() throws {
        let read = try configuration(environment: [
            "TIDINGS_PORT": "9090", "TIDINGS_AUTH_TOKEN": "primary, secondary", "TIDINGS_TRUST_PROXY": "true",
            "TIDINGS_PUBLIC_URL": "https://hooks.example.com", "TIDINGS_EVENT_LOG": "/tmp/events.jsonl",
        ])
        #expect(read.port == 9090)
        #expect(read.authTokens == ["primary", "secondary"])
        #expect(read.trustProxy)
        #expect(read.publicURL == "https://hooks.example.com")
        #expect(read.eventLog == "/tmp/events.jsonl")
    }

    @Test func aFlagWinsOverTheEnvironment() throws {
        let read = try configuration(
            flags: [AbsoluteConfigKey(["port"]): .init(.string("7070"), isSecret: false)],
            environment: ["TIDINGS_PORT": "9090"])
        #expect(read.port == 7070)
    }

    @Test("A bad value names the setting", arguments: [
        ("TIDINGS_PORT", "eighty", "port"),
        ("TIDINGS_PUBLIC_URL", "hooks.example.com", "public-url"),
        ("TIDINGS_CALLBACK_PATH", "twilio", "callback-path"),
        ("TIDINGS_EVENTS_PATH", "events", "events-path"),
        ("TIDINGS_EVENTS_PATH", "/twilio/status", "events-path"),
        ("TIDINGS_CONVERSATIONS_PATH", "/twilio/events", "conversations-path"),
        ("TIDINGS_TWILIO_API_URL", "api.twilio.com", "twilio-api-url"),
        ("TIDINGS_RECONCILE_AFTER", "soon", "reconcile-after"),
        ("TIDINGS_RECONCILE_RATE", "0", "reconcile-rate"),
        ("TIDINGS_RECONCILE_EVERY", "often", "reconcile-every"),
        ("TIDINGS_RECONCILE_SWEEP", "40d", "reconcile-sweep"),
        ("TIDINGS_TWILIO_ACCOUNT_SID", "AC123", "twilio-account-sid"),
        ("TIDINGS_TWILIO_API_KEY", "SK1", "twilio-api-key"),
        ("TIDINGS_TRUST_PROXY", "maybe", "trust-proxy"),
    ])
    func aBadValueNamesTheSetting(variable: String, value: String, setting: String) {
        #expect { try configuration(environment: [variable: value]) } throws: { error in
            (error as? ConfigurationError)?.setting == setting && "\(error)".contains(variable)
        }
    }

    @Test func sinksStaleAfterRetentionAndRedactionAreRead() throws {
        let read = try configuration(environment: [
            "TIDINGS_SINK": "file=/tmp/a.jsonl;rotate=daily,webhook=https://crm.example.com/hook;name=crm;only=errors",
            "TIDINGS_STALE_AFTER": "90s", "TIDINGS_RETENTION": "30d", "TIDINGS_REDACT": "to,from",
        ])
        #expect(read.sinks.map(\.name) == ["file", "crm"])
        #expect(read.sinks[1].filter.onlyErrors)
        #expect(read.sinks[0].options["rotate"] == "daily")
        #expect(read.staleAfter == 90)
        #expect(read.retention == 2_592_000)
        #expect(read.redact == [.to, .from])
    }

    @Test func twoSinksOfOneNameAreRefused() {
        #expect(throws: ConfigurationError.self) {
            try configuration(environment: ["TIDINGS_SINK": "webhook=https://a.example/h,webhook=https://b.example/h"])
        }
    }

    @Test func anOpenAPIBeyondLoopbackIsRefusedUnlessAllowed() throws {
        #expect(throws: ConfigurationError.self) {
            try configuration(environment: ["TIDINGS_HOST": "0.0.0.0"]).checkAPIExposure()
        }
        try configuration(environment: ["TIDINGS_HOST": "0.0.0.0", "TIDINGS_API_TOKEN": "t"]).checkAPIExposure()
        try configuration(environment: ["TIDINGS_HOST": "0.0.0.0", "TIDINGS_INSECURE_OPEN_API": "true"]).checkAPIExposure()
    }

    @Test func durationsReadAsPeopleWriteThem() {
        #expect(DurationText.seconds("90s") == 90)
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("30d") == 2_592_000)
        #expect(DurationText.seconds("30") == nil)
        #expect(DurationText.seconds("soon") == nil)
    }

    @Test func theBannerSaysWhichURLToSetAndWarnsWithoutAToken() {
        var configuration = TidingsConfiguration()
        let banner = StartupBanner(configuration: configuration, boundPort: 8080, storeDescription: "memory", eventLogDescription: "stdout")
        #expect(banner.statusCallbackURL == "http://127.0.0.1:8080/twilio/status")
        #expect(banner.text.contains("WARNING"))
        configuration.authTokens = ["t"]
        configuration.publicURL = "https://hooks.example.com/"
        let configured = StartupBanner(configuration: configuration, boundPort: 8080, storeDescription: "memory", eventLogDescription: "stdout")
        #expect(configured.statusCallbackURL == "https://hooks.example.com/twilio/status")
        #expect(configured.eventStreamsURL == "https://hooks.example.com/twilio/events")
        #expect(!configured.text.contains("WARNING"))
    }
}
