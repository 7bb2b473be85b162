import Testing

@testable import InitCore

@Suite struct ConfigHelpersTests {
    @Test func pathsJoinAndNormalize() {
        #expect(ConfigPath.join("/app", "conf/../x.yml") == "/app/x.yml")
        #expect(ConfigPath.join("/app", "/etc/pc.yml") == "/etc/pc.yml")
        #expect(ConfigPath.join("/a/b", "../../..") == "/")
        #expect(ConfigPath.normalize("./a//b/.") == "a/b")
        #expect(ConfigPath.normalize("../a") == "../a")
        #expect(ConfigPath.directory(of: "/app/pc.yml") == "/app")
        #expect(ConfigPath.directory(of: "pc.yml") == ".")
        #expect(ConfigPath.directory(of: "/pc.yml") == "/")
    }

    @Test func signalsByNameShortNameAndNumber() {
        #expect(SignalNames.number(of: "SIGTERM") == 15)
        #expect(SignalNames.number(of: "TERM") == 15)
        #expect(SignalNames.number(of: "sigint") == 2)
        #expect(SignalNames.number(of: "9") == 9)
        #expect(SignalNames.number(of: "SIGFOO") == nil)
        #expect(SignalNames.number(of: "0") == nil)
        #expect(SignalNames.number(of: "32") == nil)
        #expect(SignalNames.number(of: "SIGRTMIN+2") == 36)
        #expect(SignalNames.number(of: "RTMAX") == 64)
        #expect(SignalNames.number(of: "65") == nil)
    }

    @Test func durationsInSecondsOrWithUnits() {
        #expect(FieldReader.parseDuration("10") == .seconds(10))
        #expect(FieldReader.parseDuration("0.5") == .milliseconds(500))
        #expect(FieldReader.parseDuration("250ms") == .milliseconds(250))
        #expect(FieldReader.parseDuration("1.5s") == .milliseconds(1500))
        #expect(FieldReader.parseDuration("2m") == .seconds(120))
        #expect(FieldReader.parseDuration("1h") == .seconds(3600))
        #expect(FieldReader.parseDuration("-1") == nil)
        #expect(FieldReader.parseDuration("soon") == nil)
    }

    @Test func replicaNamesArePaddedLikeProcessCompose() {
        #expect(ServiceAssembly.replicaNames("web", count: 1) == ["web"])
        #expect(ServiceAssembly.replicaNames("web", count: 2) == ["web-0", "web-1"])
        let ten = ServiceAssembly.replicaNames("w", count: 10)
        #expect(ten.first == "w-00" && ten.last == "w-09")
        #expect(ServiceAssembly.replicaNames("w", count: 100).last == "w-099")
    }

    @Test func coreSchemaIntegers() {
        #expect(FieldReader.parseInt("42") == 42)
        #expect(FieldReader.parseInt("-3") == -3)
        #expect(FieldReader.parseInt("0x1F") == 31)
        #expect(FieldReader.parseInt("0o17") == 15)
        #expect(FieldReader.parseInt("1.5") == nil)
        #expect(FieldReader.parseInt("-") == nil)
        #expect(FieldReader.parseInt("ten") == nil)
    }

    @Test func discoveryPrefersExplicitFilesThenVariablesThenDefaults() {
        let none: (String) -> Bool = { _ in false }
        #expect(
            ConfigLoader.discover(explicitFiles: ["a.yml"], environment: ["PC_CONFIG_FILES": "b.yml"], exists: none)
                == ["a.yml"])
        #expect(
            ConfigLoader.discover(
                explicitFiles: [], environment: ["PCINIT_CONFIG": "p.yml", "PC_CONFIG_FILES": "b.yml"], exists: none)
                == ["p.yml"])
        #expect(
            ConfigLoader.discover(explicitFiles: [], environment: ["PC_CONFIG_FILES": "b.yml, c.yml"], exists: none)
                == ["b.yml", "c.yml"])
        #expect(ConfigLoader.discover(explicitFiles: [], environment: [:], exists: none) == [])
        let present: Set = ["compose.yml", "process-compose.yaml", "process-compose.override.yml"]
        #expect(
            ConfigLoader.discover(explicitFiles: [], environment: [:], exists: { present.contains($0) }) == [
                "process-compose.yaml", "process-compose.override.yml",
            ])
        #expect(
            ConfigLoader.discover(explicitFiles: [], environment: [:], exists: { $0 == "process-compose.yml" }) == [
                "process-compose.yml"
            ])
    }
}
