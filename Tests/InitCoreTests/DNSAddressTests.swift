import Glibc
import InitCore
import Testing

@Suite struct DNSAddressTests {
    @Test func ipv4AndIPv6TextParses() {
        #expect(IPAddress("10.0.0.2")?.bytes == [10, 0, 0, 2])
        #expect(IPAddress("0.0.0.0")?.bytes == [0, 0, 0, 0])
        #expect(IPAddress("255.255.255.255")?.bytes == [255, 255, 255, 255])
        #expect(IPAddress("::1")?.bytes == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddress("::")?.bytes == [UInt8](repeating: 0, count: 16))
        #expect(IPAddress("2001:DB8::1")?.description == "2001:db8::1")
        #expect(IPAddress("1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        #expect(IPAddress("1::")?.description == "1::")
        #expect(IPAddress("::ffff:10.0.0.2")?.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 0, 0, 2])
        #expect(IPAddress("64:ff9b::192.0.2.33")?.description == "64:ff9b::c000:221")
    }

    @Test func malformedAddressesAreRejected() {
        for text in [
            "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7", "1::2::3", ":::", "1:::2", ":1::", "12345::", "g::1", "::1.2.3", "fe80::1%eth0",
            "[::1]", "1.2.3.4::", "::1.2.3.4:5", "db.internal",
        ] {
            #expect(IPAddress(text) == nil, "\(text) parsed")
        }
    }

    @Test func ipv6PrintsInRFC5952Form() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8:0:1:0:0:0:1")?.description == "2001:db8:0:1::1")
        #expect(IPAddress("1:0:0:2:0:0:0:3")?.description == "1:0:0:2::3")
        #expect(IPAddress("1:0:0:2:0:0:3:4")?.description == "1::2:0:0:3:4")
        #expect(IPAddress("1:0:2:3:4:5:6:7")?.description == "1:0:2:3:4:5:6:7")
        #expect(IPAddress("::ffff:1.2.3.4")?.description == "::ffff:1.2.3.4")
    }

    /// Random addresses (with runs of zero groups) printed and parsed the way glibc's inet_ntop/inet_pton
    /// do. Addresses whose first 96 bits are zero are left out: glibc prints those as `::a.b.c.d`.
    @Test func printingAndParsingAgreeWithGlibc() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for group in 0..<8 where random.next() % 2 == 0 {
                bytes[2 * group] = 0
                bytes[2 * group + 1] = 0
            }
            if bytes[0..<12].allSatisfy({ $0 == 0 }) { continue }
            let address = IPAddress(bytes: bytes)!
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            let glibc = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            #expect(address.description == glibc)
            #expect(IPAddress(glibc) == address)
        }
    }

    @Test func hostNamesBecomeLabels() throws {
        let name = try #require(DNSName("db.Internal."))
        #expect(name.labels == [Array("db".utf8), Array("Internal".utf8)])
        #expect(name.description == "db.Internal")
        #expect(name == DNSName("DB.internal"))
        #expect(name.hashValue == DNSName("DB.INTERNAL")!.hashValue)
        #expect(name.wireLength == 13)
        #expect(DNSName("_grpc._tcp.svc-1")?.labels.count == 3)
        for text in ["", ".", "a..b", ".a", "a b", "fe80::1", "a%b", "ü.de", String(repeating: "a", count: 64)] {
            #expect(DNSName(text) == nil, "\(text) accepted")
        }
        let label = String(repeating: "a", count: 63)
        #expect(DNSName([label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")) != nil)
        #expect(DNSName([label, label, label, String(repeating: "b", count: 62)].joined(separator: ".")) == nil)
    }

    @Test func appendingASearchDomainStaysWithinTheLimit() {
        let label = String(repeating: "a", count: 63)
        let long = DNSName([label, label, label].joined(separator: "."))!
        #expect(DNSName("db")!.appending(DNSName("svc.cluster.local")!)?.description == "db.svc.cluster.local")
        #expect(long.appending(DNSName(String(repeating: "b", count: 63))!) == nil)
    }
}
