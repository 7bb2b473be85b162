import Glibc
import InitCore
import Testing

private func name(_ text: String) -> DNSName { DNSName(text)! }
private func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// A response for www.example.com: a CNAME to example.com and its A record, every repeated name
/// compressed, bytes written out by hand from RFC 1035.
private let compressedResponse: [UInt8] =
    [0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00]
    // question at offset 12: www(12) example(16) com(24) root(28), type A, class IN
    + [0x03] + Array("www".utf8) + [0x07] + Array("example".utf8) + [0x03] + Array("com".utf8) + [0x00]
    + [0x00, 0x01, 0x00, 0x01]
    // answer 1: www.example.com (pointer to 12) CNAME, TTL 300, RDATA = pointer to example.com (16)
    + [0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x02, 0xC0, 0x10]
    // answer 2: example.com (pointer to 16) A, TTL 60, 93.184.216.34
    + [0xC0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 93, 184, 216, 34]

private func responseMessage() -> DNSMessage {
    var message = DNSMessage(id: 0x1234)
    message.isResponse = true
    message.recursionDesired = true
    message.recursionAvailable = true
    message.questions = [DNSQuestion(name: name("www.example.com"), type: .a)]
    message.answers = [
        DNSRecord(name: name("www.example.com"), type: .cname, ttl: 300, data: .canonicalName(name("example.com"))),
        DNSRecord(name: name("example.com"), type: .a, ttl: 60, data: .address(ip("93.184.216.34"))),
    ]
    return message
}

@Suite struct DNSMessageTests {
    @Test func aQueryEncodesToTheRFC1035Bytes() {
        let bytes = DNSMessage.query(id: 0x1234, name: name("example.com"), type: .a).encoded()
        let expected: [UInt8] =
            [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            + [0x07] + Array("example".utf8) + [0x03] + Array("com".utf8) + [0x00, 0x00, 0x01, 0x00, 0x01]
        #expect(bytes == expected)
        let aaaa = DNSMessage.query(id: 1, name: name("example.com"), type: .aaaa).encoded()
        #expect(aaaa.suffix(4) == [0x00, 0x1C, 0x00, 0x01])
    }

    @Test func aCompressedResponseDecodes() throws {
        let message = try DNSMessage(decoding: compressedResponse)
        #expect(message == responseMessage())
        #expect(message.isResponse && message.recursionAvailable && !message.isTruncated)
        #expect(message.responseCode == .noError)
        #expect(message.answers[0].data == .canonicalName(name("example.com")))
    }

    @Test func theEncoderCompressesRepeatedNames() {
        let bytes = responseMessage().encoded()
        #expect(bytes == compressedResponse)
    }

    @Test func encodeThenDecodeGivesTheSameMessage() throws {
        var message = responseMessage()
        message.id = 0xBEEF
        message.isAuthoritative = true
        message.isTruncated = true
        message.responseCode = .nameError
        message.opcode = 2
        message.answers.append(
            DNSRecord(name: name("example.com"), type: .aaaa, ttl: 7, data: .address(ip("2001:db8::1"))))
        message.authorities = [
            DNSRecord(name: name("example.com"), type: .soa, ttl: 900, data: .other([1, 2, 3]))
        ]
        message.additionals = [
            DNSRecord(name: name("ns1.example.com"), type: .a, ttl: 1, data: .address(ip("10.0.0.2")))
        ]
        #expect(try DNSMessage(decoding: message.encoded()) == message)
    }

    @Test func namesCompareWithoutCase() throws {
        var bytes = compressedResponse
        bytes[13] = UInt8(ascii: "W")  // WWW.example.com in the question
        let message = try DNSMessage(decoding: bytes)
        #expect(message.questions[0].name == name("www.example.com"))
        #expect(message.questions[0].name.description == "Www.example.com")
    }

    @Test func aCNAMEChainIsFollowedInsideTheAnswer() throws {
        let message = try DNSMessage(decoding: compressedResponse)
        let answer = message.addresses(of: .a, for: name("WWW.example.com"))
        #expect(answer.addresses == [ip("93.184.216.34")])
        #expect(answer.ttl == 60)
        #expect(answer.canonicalName == name("example.com"))
        #expect(message.addresses(of: .aaaa, for: name("www.example.com")).addresses.isEmpty)
        #expect(message.addresses(of: .a, for: name("other.example.com")).addresses.isEmpty)
    }

    @Test func aLongerChainTakesTheSmallestTTLAndALoopEndsEmpty() {
        var message = DNSMessage(id: 1)
        message.answers = [
            DNSRecord(name: name("c.test"), type: .a, ttl: 500, data: .address(ip("10.9.9.9"))),
            DNSRecord(name: name("a.test"), type: .cname, ttl: 30, data: .canonicalName(name("b.test"))),
            DNSRecord(name: name("b.test"), type: .cname, ttl: 400, data: .canonicalName(name("c.test"))),
            DNSRecord(name: name("x.test"), type: .cname, ttl: 30, data: .canonicalName(name("y.test"))),
            DNSRecord(name: name("y.test"), type: .cname, ttl: 30, data: .canonicalName(name("x.test"))),
        ]
        let chained = message.addresses(of: .a, for: name("a.test"))
        #expect(chained.addresses == [ip("10.9.9.9")])
        #expect(chained.ttl == 30)
        #expect(chained.canonicalName == name("c.test"))
        #expect(message.addresses(of: .a, for: name("x.test")).addresses.isEmpty)
    }

    @Test func aChainLongerThanTheCapEndsEmpty() {
        var message = DNSMessage(id: 1)
        let hops = DNSMessage.maxCNAMEChain + 2
        for hop in 0..<hops {
            message.answers.append(
                DNSRecord(
                    name: name("h\(hop).test"), type: .cname, ttl: 60, data: .canonicalName(name("h\(hop + 1).test"))))
        }
        message.answers.append(
            DNSRecord(name: name("h\(hops).test"), type: .a, ttl: 60, data: .address(ip("10.0.0.1"))))
        #expect(message.addresses(of: .a, for: name("h0.test")).addresses.isEmpty)
        #expect(message.addresses(of: .a, for: name("h3.test")).addresses == [ip("10.0.0.1")])
    }

    @Test func anAnswerMatchesOnlyItsQuery() throws {
        let query = DNSMessage.query(id: 0x1234, name: name("www.example.com"), type: .a)
        var reply = try DNSMessage(decoding: compressedResponse)
        reply.recursionDesired = true
        #expect(reply.answers(query))
        var wrongID = reply
        wrongID.id = 0x1235
        #expect(!wrongID.answers(query))
        var wrongName = reply
        wrongName.questions = [DNSQuestion(name: name("www.example.org"), type: .a)]
        #expect(!wrongName.answers(query))
        var wrongType = reply
        wrongType.questions = [DNSQuestion(name: name("www.example.com"), type: .aaaa)]
        #expect(!wrongType.answers(query))
        var notResponse = reply
        notResponse.isResponse = false
        #expect(!notResponse.answers(query))
        var noQuestion = reply
        noQuestion.questions = []
        #expect(!noQuestion.answers(query))
    }

    @Test func malformedMessagesAreTypedErrors() {
        func decode(_ bytes: [UInt8]) -> DNSDecodingError? {
            do {
                _ = try DNSMessage(decoding: bytes)
                return nil
            } catch { return error }
        }
        let header: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        #expect(decode([]) == .truncated)
        #expect(decode(Array(header.prefix(11))) == .truncated)
        // The question's name points at itself, or forwards.
        #expect(decode(header + [0xC0, 0x0C, 0, 1, 0, 1]) == .badPointer)
        #expect(decode(header + [0xC0, 0x0E, 0xC0, 0x0C, 0, 1, 0, 1]) == .badPointer)
        #expect(decode(header + [0xC0]) == .truncated)
        #expect(decode(header + [0x41, 0x61, 0, 0, 1, 0, 1]) == .badLabelType)
        #expect(decode(header + [0x05, 0x61, 0x62]) == .truncated)
        let label: [UInt8] = [63] + [UInt8](repeating: 0x61, count: 63)
        let longName: [UInt8] = label + label + label + label + label + [0]
        #expect(decode(header + longName + [0, 1, 0, 1]) == .nameTooLong)
        // 65535 questions announced, none present.
        #expect(decode([0, 1, 0x81, 0x80, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]) == .truncated)

        let answerHeader: [UInt8] = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0]
        let record: ([UInt8], [UInt8]) -> [UInt8] = { typeAndClass, rdata in
            answerHeader + [1, 0x61, 0] + typeAndClass + [
                0, 0, 0, 60, UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF),
            ]
                + rdata
        }
        #expect(decode(record([0, 1, 0, 1], [10, 0, 0])) == .badRecordData(.a))
        #expect(decode(record([0, 28, 0, 1], [UInt8](repeating: 0, count: 4))) == .badRecordData(.aaaa))
        #expect(decode(record([0, 5, 0, 1], [1, 0x62, 0, 0xFF])) == .badRecordData(.cname))
        #expect(decode(Array(record([0, 1, 0, 1], [10, 0, 0, 1]).dropLast())) == .truncated)
        #expect(decode(record([0, 1, 0, 1], [10, 0, 0, 1])) == nil)
    }

    @Test func thePointerCountPerNameIsCapped() {
        // Question 0 is "a"; question k is a pointer to question k-1, so its name takes k jumps.
        let count = DNSMessage.maxPointersPerName + 2
        var bytes: [UInt8] = [0, 1, 0x81, 0x80, UInt8(count >> 8), UInt8(count & 0xFF), 0, 0, 0, 0, 0, 0]
        bytes += [1, 0x61, 0, 0, 1, 0, 1]
        var previous = 12
        for _ in 1..<count {
            let here = bytes.count
            bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF), 0, 1, 0, 1]
            previous = here
        }
        #expect(throws: DNSDecodingError.badPointer) { try DNSMessage(decoding: bytes) }
        // One question fewer than the cap decodes, every name being "a".
        let allowed = 12 + 7 + 6 * (DNSMessage.maxPointersPerName - 1)
        var capped = Array(bytes.prefix(allowed))
        capped[5] = UInt8(DNSMessage.maxPointersPerName)
        let message = try? DNSMessage(decoding: capped)
        #expect(message?.questions.count == DNSMessage.maxPointersPerName)
        #expect(message?.questions.allSatisfy { $0.name == name("a") } == true)
    }

    @Test func aHighTTLReadsAsZero() throws {
        var bytes = compressedResponse
        bytes[bytes.count - 10] = 0x80  // the A record's TTL: 0x8000003C
        #expect(try DNSMessage(decoding: bytes).answers[1].ttl == 0)
    }

    /// Seeded random mutations of real messages: the decoder must throw or decode, never trap, and whatever
    /// it decodes must survive an encode/decode round trip unchanged.
    @Test func mutatedMessagesNeverCrashTheDecoder() {
        var random = SplitMix64(seed: 0x5EED_D45)
        var aaaa = responseMessage()
        aaaa.answers.append(
            DNSRecord(name: name("example.com"), type: .aaaa, ttl: 9, data: .address(ip("2001:db8::53"))))
        aaaa.additionals = [DNSRecord(name: name("example.com"), type: .ns, ttl: 9, data: .other([0xC0, 0x0C]))]
        let seeds = [
            compressedResponse, aaaa.encoded(),
            DNSMessage.query(id: 7, name: name("db.internal"), type: .aaaa).encoded(),
        ]
        var decoded = 0
        var rejected = 0
        // PCINIT_DNS_FUZZ_ITERATIONS runs it longer (under `nice`, outside the CPU lock).
        let iterations = getenv("PCINIT_DNS_FUZZ_ITERATIONS").flatMap { Int(String(cString: $0)) } ?? 20_000
        for iteration in 0..<iterations {
            var bytes = seeds[iteration % seeds.count]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = Int(random.next() % UInt64(max(bytes.count, 1)))
                switch random.next() % 6 {
                case 0 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1 where !bytes.isEmpty: bytes[position] ^= 1 << UInt8(random.next() % 8)
                case 2: bytes = Array(bytes.prefix(position))
                case 3: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: min(position, bytes.count))
                case 4 where !bytes.isEmpty: bytes[position] = 0xC0 | UInt8(random.next() % 4)
                default: if position + 1 < bytes.count { bytes[position + 1] = UInt8(random.next() % 64) }
                }
            }
            if iteration % 10 == 0 {
                bytes = (0..<Int(random.next() % 80)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            guard let message = try? DNSMessage(decoding: bytes) else {
                rejected += 1
                continue
            }
            decoded += 1
            _ = message.addresses(of: .a, for: name("www.example.com"))
            let again = try? DNSMessage(decoding: message.encoded())
            #expect(again == message, "round trip changed the message decoded from \(bytes)")
            if again != message { break }
        }
        #expect(decoded > iterations / 20)
        #expect(rejected > iterations / 20)
    }
}

/// A small seeded generator (Vigna's SplitMix64), so a failing mutation run can be repeated.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
