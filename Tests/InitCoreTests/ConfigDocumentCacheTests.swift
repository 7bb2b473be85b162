import Testing

@testable import InitCore

/// A reload hands the loader the previous load's parsed files: what comes out must be exactly what a fresh load
/// gives (config and messages), whatever changed in between.
@Suite struct ConfigDocumentCacheTests {
    /// Loads the harness's files once fresh and once with the cache of `earlier`'s load.
    static func both(
        _ harness: ConfigTestHarness, after earlier: ConfigTestHarness, files: [String] = ["process-compose.yml"]
    ) -> (fresh: ConfigLoadResult, cached: ConfigLoadResult) {
        var loader = harness.loader
        loader.documentCache = earlier.loader.load(files: files).documentCache
        return (harness.loader.load(files: files), loader.load(files: files))
    }

    @Test func anUnchangedFileGivesTheSameConfigAndWarnings() {
        let harness = ConfigTestHarness(YAMLLenienceTests.config)
        let (fresh, cached) = Self.both(harness, after: harness)
        #expect(fresh.config != nil)
        #expect(cached.config == fresh.config)
        #expect(cached.messages == fresh.messages)
        #expect(cached.messages.count == 1, "the YAML warning is reported again from the cache")
        #expect(!cached.documentCache.isEmpty)
    }

    /// The cached warning becomes an error when another file turns is_strict on, as it would fresh.
    @Test func isStrictStillAppliesToACachedWarning() {
        let lenient = ConfigTestHarness(YAMLLenienceTests.config, files: ["/app/strict.yml": "is_strict: false\n"])
        let strict = ConfigTestHarness(YAMLLenienceTests.config, files: ["/app/strict.yml": "is_strict: true\n"])
        let (fresh, cached) = Self.both(strict, after: lenient, files: ["process-compose.yml", "strict.yml"])
        #expect(fresh.config == nil)
        #expect(cached.config == nil)
        #expect(cached.messages == fresh.messages)
    }

    /// The cache is keyed by the text after `${VAR}` expansion: a changed .env value is a different document.
    @Test func aChangedExpansionIsParsedAgain() {
        let config = "processes:\n  web:\n    command: serve ${PORT}\n"
        let before = ConfigTestHarness(config, files: ["/app/.env": "PORT=1\n"])
        let after = ConfigTestHarness(config, files: ["/app/.env": "PORT=2\n"])
        let (fresh, cached) = Self.both(after, after: before)
        #expect(cached.service("web")?.command == .shell("serve 2"))
        #expect(cached.config == fresh.config)
    }

    /// An env_file is not part of the parsed document: rotating its secret shows through a cached parse.
    @Test func aRotatedEnvFileShowsThroughACachedDocument() {
        let config = "processes:\n  api:\n    command: run\n    env_file: secrets.env\n"
        let before = ConfigTestHarness(config, files: ["/app/secrets.env": "SECRET=one\n"])
        let after = ConfigTestHarness(config, files: ["/app/secrets.env": "SECRET=two\n"])
        let (fresh, cached) = Self.both(after, after: before)
        #expect(cached.config == fresh.config)
        let environment = cached.service("api")?.environment.aboveInherited ?? []
        #expect(environment.contains { $0 == ("SECRET", "two") })
    }

    @Test func anEditedFileAndAnErrorAreNeverServedFromTheCache() {
        let first = ConfigTestHarness("processes:\n  web:\n    command: one\n")
        let edited = ConfigTestHarness("processes:\n  web:\n    command: two\n")
        #expect(Self.both(edited, after: first).cached.service("web")?.command == .shell("two"))

        let broken = ConfigTestHarness("processes:\n  web:\n    command: [unclosed\n")
        let result = broken.load()
        #expect(result.config == nil)
        #expect(result.documentCache.isEmpty, "only clean parses are kept")
        let (fresh, cached) = Self.both(broken, after: first)
        #expect(cached.messages == fresh.messages)
        #expect(!cached.messages.isEmpty)
    }
}
