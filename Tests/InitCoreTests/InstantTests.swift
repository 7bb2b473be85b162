import Testing

@testable import InitCore

@Suite struct InstantTests {
    @Test func addingDurationMovesForward() {
        let t = Instant(nanoseconds: 1_000) + .milliseconds(2)
        #expect(t.nanoseconds == 2_001_000)
    }

    @Test func millisecondsRoundUpSoTimersNeverFireEarly() {
        #expect(Duration.nanoseconds(1).millisecondsRoundedUp == 1)
        #expect(Duration.milliseconds(5).millisecondsRoundedUp == 5)
        #expect(Duration.nanoseconds(-3).millisecondsRoundedUp == 0)
    }

    @Test func environmentLayersPutInheritedBetweenDotEnvAndFile() {
        let env = ServiceEnvironment(
            belowInherited: [("PC_PROC_NAME", "web"), ("A", "dotenv"), ("B", "dotenv")],
            aboveInherited: [("B", "file")]
        )
        let resolved = env.resolved(inherited: [("A", "os"), ("PATH", "/bin")])
        #expect(resolved == ["PC_PROC_NAME=web", "A=os", "B=file", "PATH=/bin"])
    }
}
