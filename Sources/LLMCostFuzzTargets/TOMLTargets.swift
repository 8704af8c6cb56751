import LLMCostConfig
import LLMCostPricing

extension FuzzTarget {
    /// The configuration file through the whole config reader (TOML, then every section's
    /// checks): accepted, or rejected with a message, the file's name and a line.
    public static let configTOML = FuzzTarget(
        name: "config-toml",
        seeds: [
            """
            [ledger]
            path = "${HOME}/ledger.sqlite"
            busy_timeout_ms = 2500

            [report]
            timezone = "Europe/Paris"
            group_by = ["agent", "tag:team", "day"]
            format = "json"

            [providers.work]
            type = "openai"
            model = "gpt-4o-mini"
            base_url = "https://api.example.com/v1"
            extra_headers = { "X-Title" = "app", 'X-Other' = 'v' }
            timeout = 12.5
            max_retries = 2
            pricing_provider = "openai"

            [[budgets]]
            name = "daily"
            agent = "researcher"
            period = "day"
            limit_usd = 5.00
            alerts = [0.5, 0.8, 1.0]
            action = "block"
            wait_ms = 30000
            unpriced = "allow"

            [[budgets]]
            name = "team"
            tag = "team=search"
            limit_usd = "12.5"

            [alerts]
            log = true
            webhook_url = "https://hooks.example.com/x"
            command = "notify-send \\"$LLM_COST_BUDGET\\""
            max_attempts = 3
            """,
            "[report]\ngroup_by = [ \"model\", ]\n# comment\n[ pricing ]\ndir = '''\n/tmp/p'''\n",
            "ledger.path = \"a\"\nreport.timezone = \"UTC\"\n[[budgets]]\nname = \"x\"\nlimit_usd = 1e3\n",
        ],
        body: { input throws(InvariantViolation) in
            do throws(ConfigError) {
                _ = try Configuration.parse(input, file: "fuzz.toml", environment: ["HOME": "/home/fuzz"])
            } catch {
                guard !error.message.isEmpty, error.file == "fuzz.toml", let line = error.line, line >= 1 else {
                    throw InvariantViolation("config-toml: a rejection without its file, line or message: \(error)")
                }
            }
        })

    /// A user pricing file through the pricing loader: every problem named with the file, a line
    /// and a message.
    public static let pricingTOML = FuzzTarget(
        name: "pricing-toml",
        seeds: [
            """
            provider = "house"
            provider_aliases = ["home"]
            default_cache_write_5m = "1.25"
            default_cache_write_1h = "2"

            [[model]]
            id = "house-large"
            aliases = ["house-large-20260101"]
            context_window = 200000
            max_output = 64000

            [[price]]
            model = "house-large"
            effective_from = 2026-01-01
            source = "https://example.com/pricing"
            input = "3"
            output = "15"
            cache_read = "0.30"
            web_search_per_1k = "10"
            service_tiers = { batch = "0.5", priority = "1.8" }

              [[price.tier]]
              above = 200000
              input = "6"
              output = "22.50"

            [[price]]
            model = "house-large"
            effective_from = 2026-06-01T12:00:00Z
            source = "https://example.com/pricing"
            input = "2.5"
            output = "12"

            [[model]]
            id = "deploy"
            same_as = "openai/gpt-4o"
            """,
            "provider = \"azure\"\nfallback = \"openai\"\nbare_names = false\n[[model]]\nid = \"*\"\n[[price]]\nmodel = \"*\"\neffective_from = 2000-01-01\nsource = \"x\"\ninput = \"0\"\noutput = \"0\"\n",
        ],
        body: { input throws(InvariantViolation) in
            let text = String(decoding: input, as: UTF8.self)
            for issue in PriceTableLoader.validate(defaults: [], user: [PricingSource(name: "fuzz.toml", text: text)], snapshot: nil) {
                guard !issue.message.isEmpty, issue.location.file == "fuzz.toml", issue.location.line >= 1 else {
                    throw InvariantViolation("pricing-toml: an issue without its file, line or message: \(issue)")
                }
            }
        })
}
