import Testing
@Suite struct PlaceholderBlackBox { @Test func builds() {} }
