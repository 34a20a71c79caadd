import Foundation
import Testing
import TidingsCore
import TidingsTestSupport

/// Every store answers as the memory store, the reference semantics, over a corpus that
/// mixes channels, errors, conflicts, repeats and times between milliseconds.
@Suite("Memory equivalence conformance")
struct MemoryEquivalenceConformance {
    @Test("listings, stats, series and stale marking equal the memory store's over a mixed corpus", arguments: StoreKind.allCases)
    func sameAnswersAsMemory(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let memory = InMemoryStatusStore()
            let corpus = try MixedCorpus(messages: 150)
            for (callback, receivedAt) in corpus.callbacks {
                let stored = try await store.record(callback, receivedAt: receivedAt)
                let kept = try await memory.record(callback, receivedAt: receivedAt)
                #expect(stored == kept)
            }
            let cutoff = corpus.instant(fraction: 0.4)
            let marked = try await store.markStale(lastChangeBefore: cutoff, at: corpus.instant(fraction: 2))
            let markedInMemory = await memory.markStale(lastChangeBefore: cutoff, at: corpus.instant(fraction: 2))
            #expect(!marked.isEmpty)
            #expect(Set(marked.map(\.id)) == Set(markedInMemory.map(\.id)))
            #expect(Set(marked.compactMap(\.seq)) == Set(markedInMemory.compactMap(\.seq)))

            for query in corpus.queries {
                #expect(try await store.allPages(of: query) == memory.allPages(of: query), "\(query)")
            }
            for query in corpus.statsQueries {
                #expect(try await store.stats(query) == memory.stats(query), "\(query)")
            }
            for query in corpus.seriesQueries {
                let series = try await store.statusSeries(query)
                let expected = await memory.statusSeries(query)
                #expect(series == expected, "\(query)")
                #expect(series.buckets.contains { $0.total > 0 }, "\(query) counts something")
            }
        }
    }
}
