import Foundation
import Testing
import TidingsCore
@testable import TidingsPostgres
@testable import TidingsSQLite

/// Every store's time column takes any `Date`: one from outside the years a record can
/// hold — a forged page token, a filter — is clamped, never a trap or an endless search.
@Suite("Time columns")
struct TimeColumnTests {
    static let outside: [Double] = [1e300, -1e300, 9.3e15, -9.3e15, .infinity, -.infinity, .nan]

    @Test("a time outside years 1–9999 is stored and compared as the nearest end of that range", arguments: outside)
    func outsideTimesAreClamped(secondsSince1970: Double) {
        let date = Date(timeIntervalSince1970: secondsSince1970)
        let end = StorableTime.clamped(date)
        #expect(StorableTime.range.contains(end))
        #expect(end == (secondsSince1970 > 0 ? StorableTime.range.upperBound : StorableTime.range.lowerBound))
        #expect(TidingsPostgres.TimeColumn.value(date) == TidingsPostgres.TimeColumn.value(end))
        #expect(TidingsPostgres.TimeColumn.lowerBound(date) == TidingsPostgres.TimeColumn.lowerBound(end))
        #expect(TidingsSQLite.TimeColumn.value(date) == TidingsSQLite.TimeColumn.value(end))
        #expect(TidingsSQLite.TimeColumn.lowerBound(date) == TidingsSQLite.TimeColumn.lowerBound(end))
    }

    @Test("a time inside the range is kept as it is")
    func insideTimesAreKept() {
        let date = Date(timeIntervalSince1970: 1_764_806_400.123)
        #expect(StorableTime.clamped(date) == date)
        #expect(TidingsPostgres.TimeColumn.value(date) == 1_764_806_400_123)
    }
}
