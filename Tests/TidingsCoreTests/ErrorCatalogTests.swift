import Foundation
import Testing
import TidingsCore

@Suite("ErrorCatalog: Twilio error codes for people")
struct ErrorCatalogTests {
    let catalog = ErrorCatalog.twilio

    /// The codes the catalog must cover (those whose existence and name Twilio confirms).
    static let requiredCodes: [Int] =
        Array(30001...30012)
        + [30017, 30019, 30020, 30021, 30022, 30023, 30024]
        + [30032, 30034, 30036, 30037, 30038, 30041, 30450]
        + [63001, 63003, 63005, 63007, 63013, 63016, 63018, 63021, 63024, 63031, 63049]
        + [21211, 21408, 21610, 21612, 21614, 21617, 21635]

    @Test(arguments: requiredCodes)
    func everyRequiredCodeIsPresent(code: Int) throws {
        let entry = try #require(catalog.entry(for: code), "no entry for \(code)")
        #expect(entry.code == code)
    }

    @Test func codesAreUniqueAndSorted() {
        let codes = catalog.entries.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(codes == codes.sorted())
    }

    @Test func everyDocsURLIsTwiliosPageForTheCode() {
        for entry in catalog.entries {
            #expect(entry.docsURL == "https://www.twilio.com/docs/api/errors/\(entry.code)")
        }
    }

    @Test func everyEntrySaysSomethingShort() {
        for entry in catalog.entries {
            #expect(!entry.title.isEmpty, "\(entry.code) has no title")
            #expect(!entry.meaning.isEmpty, "\(entry.code) has no meaning")
            #expect(entry.meaning.count <= 300, "\(entry.code): meaning is \(entry.meaning.count) characters")
        }
    }

    @Test func aKnownCodeHasItsTitle() {
        #expect(catalog.entry(for: 30003)?.title == "Unreachable destination handset")
        #expect(catalog.entry(for: 21610)?.title == "Attempt to send to unsubscribed recipient")
    }

    @Test func anUnknownCodeHasNoEntryButADocsURL() {
        #expect(catalog.entry(for: 30999) == nil)
        #expect(ErrorCatalog.docsURL(for: 30999) == "https://www.twilio.com/docs/api/errors/30999")
        #expect(ErrorCatalog.docsURL(for: 12) == "https://www.twilio.com/docs/api/errors/12")
    }

    @Test(arguments: [30001, 30003, 30008, 30017, 30022, 30023, 30450, 30500, 63017, 63018])
    func transientConditionsAreRetryable(code: Int) throws {
        #expect(try #require(catalog.entry(for: code)).retryable)
    }

    @Test(arguments: [21211, 21610, 21614, 21635, 30002, 30004, 30005, 30006, 30007, 30032, 30034, 63016, 63024])
    func permanentConditionsAreNotRetryable(code: Int) throws {
        #expect(try #require(catalog.entry(for: code)).retryable == false)
    }

    @Test func aCustomCatalogIsSortedAndTheLaterEntryForACodeWins() {
        let custom = ErrorCatalog(entries: [
            .init(code: 2, title: "Second", meaning: "b", retryable: true),
            .init(code: 1, title: "First", meaning: "a", retryable: false),
            .init(code: 2, title: "Second, corrected", meaning: "c", retryable: false),
        ])
        #expect(custom.entries.map(\.code) == [1, 2])
        #expect(custom.entry(for: 2)?.title == "Second, corrected")
        #expect(custom.entry(for: 1)?.docsURL == "https://www.twilio.com/docs/api/errors/1")
    }

    @Test func anEntryRoundTripsThroughJSON() throws {
        let entry = try #require(catalog.entry(for: 30007))
        let decoded = try JSONDecoder().decode(ErrorCatalog.Entry.self, from: JSONEncoder().encode(entry))
        #expect(decoded == entry)
    }
}
