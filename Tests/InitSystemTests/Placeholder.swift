import Testing
@Suite struct PlaceholderSystem { @Test func builds() {} }
