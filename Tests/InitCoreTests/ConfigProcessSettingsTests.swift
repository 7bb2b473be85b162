import Testing

@testable import InitCore

let samplePasswd = """
    root:x:0:0:root:/root:/bin/sh
    # a comment
    app:x:1000:1000:App user:/home/app:/bin/sh
    nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
    +nis

    broken:x:notanumber:1::/:
    """

let sampleGroup = """
    root:x:0:
    staff:x:50:app,other
    app:x:1000:
    docker:x:999:app
    nogroup:x:65534:
    """

@Suite("Config: /etc/passwd and /etc/group")
struct UserDatabaseTests {
    let database = UserDatabase(passwd: samplePasswd, group: sampleGroup)

    @Test func parsesEntriesAndSkipsCommentsNISAndBrokenLines() {
        #expect(database.users.map(\.name) == ["root", "app", "nobody"])
        #expect(database.user(named: "app") == .init(name: "app", uid: 1000, gid: 1000, home: "/home/app"))
        #expect(database.group(named: "staff")?.members == ["app", "other"])
        #expect(database.groups(listing: "app") == [50, 999])
    }

    @Test func aNameGivesItsIDsHomeAndSupplementaryGroups() throws {
        let user = try database.resolve("app").get()
        #expect(
            user
                == ServiceUser(
                    spec: "app", name: "app", uid: 1000, gid: 1000, groups: [1000, 50, 999], home: "/home/app"))
        #expect(user.environment.map { "\($0)=\($1)" } == ["HOME=/home/app", "USER=app", "LOGNAME=app"])
    }

    @Test func aGroupOverridesThePrimaryGroupByNameOrNumber() throws {
        #expect(try database.resolve("app:staff").get().groups == [50, 999])
        #expect(try database.resolve("app:4242").get().gid == 4242)
        #expect(try database.resolve("app:4242").get().groups == [4242, 50, 999])
    }

    @Test func numbersNeedNoEntryWhenTheGroupIsGiven() throws {
        let user = try database.resolve("1234:2345").get()
        #expect(user == ServiceUser(spec: "1234:2345", name: nil, uid: 1234, gid: 2345, groups: [2345], home: nil))
        #expect(user.environment.map { "\($0)=\($1)" } == ["HOME=/"])
        // A uid with an entry is that user.
        #expect(try database.resolve("65534").get().name == "nobody")
        #expect(try database.resolve("65534").get().home == "/nonexistent")
    }

    @Test func problemsAreNamed() {
        #expect(database.resolve("ghost") == .failure(.unknownUser("ghost")))
        #expect(database.resolve("app:ghosts") == .failure(.unknownGroup("ghosts")))
        #expect(database.resolve("4321") == .failure(.noGroupForID("4321")))
        #expect(database.resolve("a:b:c") == .failure(.malformed("a:b:c")))
        #expect(database.resolve(":50") == .failure(.malformed(":50")))
        #expect(database.resolve("app:") == .failure(.malformed("app:")))
        #expect(database.resolve("4294967295:1") == .failure(.idOutOfRange("4294967295")))
        #expect(database.resolve("1:99999999999") == .failure(.idOutOfRange("99999999999")))
    }
}

@Suite("Config: user, umask, rlimits, no_new_privileges")
struct ConfigProcessSettingsTests {
    func load(_ yaml: String, identity: ProcessIdentity? = nil, passwd: String? = samplePasswd) -> ConfigLoadResult {
        var harness = ConfigTestHarness(yaml)
        if let passwd { harness.files["/etc/passwd"] = passwd }
        harness.files["/etc/group"] = sampleGroup
        var loader = harness.loader
        loader.identity = identity
        return loader.load(files: ["process-compose.yml"])
    }

    @Test func everySettingIsRead() throws {
        let result = load(
            """
            processes:
              web:
                command: run
                user: app
                umask: 0027
                rlimits:
                  nofile: 4096
                  core: {soft: 0, hard: unlimited}
                  nproc: {soft: 100, hard: 200}
                no_new_privileges: true
            """)
        #expect(result.errors.isEmpty, "\(result.messages)")
        let process = try #require(result.service("web")).process
        #expect(process.user?.uid == 1000)
        #expect(process.umask == 0o027, "0027 is octal, whatever YAML 1.2 makes of it")
        #expect(
            process.resourceLimits == [
                .init(resource: .nofile, soft: 4096, hard: 4096),
                .init(resource: .core, soft: 0, hard: ResourceLimit.unlimited),
                .init(resource: .nproc, soft: 100, hard: 200),
            ])
        #expect(process.noNewPrivileges)
    }

    @Test func theUsersHomeBeatsTheInheritedOneButNotTheFiles() throws {
        let result = load(
            """
            environment: ["USER=fromfile"]
            processes:
              web:
                command: run
                user: app
            """)
        let env = try #require(result.service("web")).environment
        let resolved = env.resolved(inherited: [("HOME", "/root"), ("USER", "root"), ("PATH", "/bin")])
        #expect(resolved.contains("HOME=/home/app"))
        #expect(resolved.contains("USER=fromfile"))
        #expect(resolved.contains("LOGNAME=app"))
        #expect(resolved.contains("PATH=/bin"))
    }

    @Test func anUnknownUserIsAnErrorAtItsLine() {
        let result = load(
            """
            processes:
              web:
                command: run
                user: ghost
            """)
        #expect(
            result.messages == [
                "process-compose.yml:4:11: error: processes.web.user: unknown user 'ghost' (not in /etc/passwd)"
            ])
        #expect(result.config == nil)
    }

    @Test func aMissingPasswdFileIsNamed() {
        let result = load("processes:\n  web:\n    command: run\n    user: app\n", passwd: nil)
        #expect(result.messages.first?.contains("(/etc/passwd does not exist)") == true, "\(result.messages)")
        // Numbers with a group need no file at all.
        #expect(load("processes:\n  web:\n    command: run\n    user: '1:2'\n", passwd: nil).errors.isEmpty)
    }

    @Test func notRootMeansOnlyPCInitsOwnUser() {
        let yaml = "processes:\n  web:\n    command: run\n    user: app\n"
        #expect(load(yaml, identity: .init(uid: 0, gid: 0)).errors.isEmpty)
        #expect(load(yaml, identity: .init(uid: 1000, gid: 1000)).errors.isEmpty)
        let other = load(yaml, identity: .init(uid: 1001, gid: 1001))
        #expect(
            other.messages == [
                "process-compose.yml:4:11: error: processes.web.user: pcinit runs as 1001:1001, not as root, so it cannot run a service as 1000:1000"
            ])
    }

    @Test func badValuesAreErrors() {
        let result = load(
            """
            processes:
              web:
                command: run
                umask: "0999"
                rlimits:
                  files: 10
                  nofile: {soft: 20, hard: 10}
                  core: -1
                  stack: {soft: 1}
                  nproc: {soft: 1, hard: 2, max: 3}
                no_new_privileges: maybe
            """)
        #expect(
            result.messages == [
                #"process-compose.yml:4:12: error: processes.web.umask: invalid umask '0999'; write it in octal, e.g. "0027" or "0077""#,
                "process-compose.yml:6:7: error: processes.web.rlimits: unknown resource 'files'; valid resources are: as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack",
                "process-compose.yml:7:15: error: processes.web.rlimits.nofile: the soft limit is above the hard limit",
                "process-compose.yml:8:13: error: processes.web.rlimits.core: must not be negative, found -1",
                "process-compose.yml:9:14: error: processes.web.rlimits.stack: give both 'soft' and 'hard'",
                "process-compose.yml:10:33: warning: processes.web.rlimits.nproc: unknown key 'max'",
                #"process-compose.yml:11:24: error: processes.web.no_new_privileges: expected true or false, found 'maybe'"#,
            ])
    }

    @Test(
        arguments: [("0027", 0o027), ("027", 0o027), ("0o77", 0o077), ("0", 0), ("777", 0o777)] as [(String, UInt32)])
    func umaskIsOctal(text: String, value: UInt32) {
        #expect(FieldReader.parseUmask(text) == value)
    }

    @Test(arguments: ["", "8", "1000", "0x1f", "-1", "00000"])
    func umaskRejects(text: String) {
        #expect(FieldReader.parseUmask(text) == nil)
    }

    @Test func passwdIsReadOnlyWhenAUserIsSet() {
        var harness = ConfigTestHarness("processes:\n  web:\n    command: run\n")
        harness.unreadable = ["/etc/passwd", "/etc/group"]
        #expect(harness.load().diagnostics.isEmpty)
    }

    @Test func theEffectiveConfigShowsTheResolvedSettings() throws {
        let result = load("processes:\n  web:\n    command: run\n    user: app\n    umask: '077'\n")
        let json = try #require(result.config).effectiveJSON().rendered(pretty: false)
        #expect(
            json.contains(
                #""user":{"spec":"app","name":"app","uid":1000,"gid":1000,"groups":[1000,50,999],"home":"/home/app"}"#),
            "\(json)")
        #expect(json.contains(#""umask":"0077""#), "\(json)")
    }
}

@Suite("Config: log_location, log_format, log_timestamps")
struct ConfigLogSettingsTests {
    @Test func aLogFileWithRotation() throws {
        let result = loadConfig(
            """
            processes:
              web:
                command: run
                log_location: logs/web.log
                truncate_log: true
                log_configuration:
                  rotation: {max_size_mb: 5, max_backups: 3, compress: true}
                  no_color: true
            """)
        #expect(
            result.messages == [
                "process-compose.yml:7:50: warning: processes.web.log_configuration.rotation: 'compress' is ignored by pcinit (rotated files are not compressed)",
                "process-compose.yml:8:7: warning: processes.web.log_configuration: 'no_color' is ignored by pcinit (files never get colours)",
            ])
        #expect(
            result.service("web")?.logFile
                == LogFileConfig(path: "/app/logs/web.log", maxBytes: 5 * 1024 * 1024, maxBackups: 3, truncate: true))
    }

    /// Found by reading what Tests/Fuzz reaches: `max_size_mb` past Int.max bytes trapped multiplying; it is
    /// clamped (no practical limit).
    @Test func aHugeRotationSizeIsClampedInsteadOfTrapping() {
        let result = loadConfig(
            "processes:\n  w:\n    command: run\n    log_location: /l/w.log\n"
                + "    log_configuration: {rotation: {max_size_mb: 9223372036854775807}}\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("w")?.logFile?.maxBytes == Int.max)
    }

    @Test func replicasGetTheirNumber() {
        let placeholder = loadConfig(
            "processes:\n  w:\n    command: run\n    replicas: 2\n    log_location: /l/w-{PC_REPLICA_NUM}.log\n")
        #expect(placeholder.service("w-0")?.logFile?.path == "/l/w-0.log")
        #expect(placeholder.service("w-1")?.logFile?.path == "/l/w-1.log")
        let appended = loadConfig("processes:\n  w:\n    command: run\n    replicas: 2\n    log_location: /l/w.log\n")
        #expect(appended.service("w-1")?.logFile?.path == "/l/w.log.1")
        let single = loadConfig("processes:\n  w:\n    command: run\n    log_location: /l/w.log\n")
        #expect(single.service("w")?.logFile == LogFileConfig(path: "/l/w.log"))
    }

    @Test func logConfigurationWithoutALocationIsIgnoredWithAWarning() {
        let result = loadConfig(
            "processes:\n  w:\n    command: run\n    log_configuration: {rotation: {max_size_mb: 1}}\n")
        #expect(
            result.messages == [
                "process-compose.yml:4:24: warning: processes.w.log_configuration: no 'log_location'; ignored"
            ])
        #expect(result.service("w")?.logFile == nil)
    }

    @Test func pcinitsLogSettings() {
        let result = loadConfig(
            "processes:\n  w:\n    command: run\nx-pcinit:\n  log_format: json\n  log_timestamps: true\n")
        #expect(result.config?.pcinit.logFormat == .json)
        #expect(result.config?.pcinit.logTimestamps == true)
        let bad = loadConfig("processes:\n  w:\n    command: run\nx-pcinit:\n  log_format: logfmt\n")
        #expect(
            bad.messages == [
                "process-compose.yml:5:15: error: x-pcinit.log_format: invalid value 'logfmt'; valid values are: text, json"
            ])
    }
}
