import Testing
import TidingsCore

/// What every ``EventSink`` must do, written once and run against every kind of sink.
@Suite("EventSink conformance")
struct EventSinkConformance {
    @Test("batches arrive whole, in order, with id and seq intact", arguments: SinkKind.allCases)
    func batchesArriveInOrder(kind: SinkKind) async throws {
        try await kind.withSink { sink, arrivals in
            let first = ChangeFixtures.batch(1...5)
            let second = ChangeFixtures.batch(6...7)
            let third = ChangeFixtures.batch(8...15)

            for batch in [first, second, third] {
                try await sink.deliver(batch)
            }

            #expect(try await arrivals() == (first + second + third).map(Arrival.init))
        }
    }

    @Test("an empty batch is delivered and adds nothing", arguments: SinkKind.allCases)
    func emptyBatch(kind: SinkKind) async throws {
        try await kind.withSink { sink, arrivals in
            try await sink.deliver([])
            #expect(try await arrivals().isEmpty)

            try await sink.deliver(ChangeFixtures.batch(1...2))
            try await sink.deliver([])

            #expect(try await arrivals() == ChangeFixtures.batch(1...2).map(Arrival.init))
        }
    }

    @Test("a batch delivered twice arrives twice with the same ids", arguments: SinkKind.allCases)
    func redeliveryKeepsIds(kind: SinkKind) async throws {
        try await kind.withSink { sink, arrivals in
            let batch = ChangeFixtures.batch(1...3)

            try await sink.deliver(batch)
            try await sink.deliver(batch)

            let arrived = try await arrivals()
            #expect(arrived == (batch + batch).map(Arrival.init))
            #expect(Set(arrived.map(\.id)) == Set(batch.map(\.id)))
        }
    }

    @Test("the sink has a name", arguments: SinkKind.allCases)
    func hasAName(kind: SinkKind) async throws {
        try await kind.withSink { sink, _ in
            #expect(sink.name == kind.rawValue)
        }
    }
}
