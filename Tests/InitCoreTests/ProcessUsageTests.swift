import Testing

@testable import InitCore

@Suite("Process usage from /proc/PID/stat")
struct ProcessUsageTests {
    @Test func readsUtimeStimeAndRSSPastAnAwkwardCommandName() {
        let stat =
            "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1017 0 0 0 25 17 0 0 20 0 1 0 12345 8790016 812 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        #expect(ProcessUsage.parse(stat: Array(stat.utf8)) == ProcessUsage(cpuTicks: 42, residentPages: 812))
    }

    @Test func refusesWhatIsNotAStatLine() {
        #expect(ProcessUsage.parse(stat: Array("4242 (x) S 1 2 3".utf8)) == nil)
        #expect(ProcessUsage.parse(stat: Array("garbage".utf8)) == nil)
    }

    @Test func sums() {
        let total = ProcessUsage.total([.init(cpuTicks: 1, residentPages: 10), .init(cpuTicks: 2, residentPages: 20)])
        #expect(total == ProcessUsage(cpuTicks: 3, residentPages: 30))
    }
}
