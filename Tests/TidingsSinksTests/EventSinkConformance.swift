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

    @Test("a batch the destination refuses throws a retryable error, leaves nothing, and its retry arrives whole", arguments: SinkKind.allCases)
    func aRefusedBatchIsRetryable(kind: SinkKind) async throws {
        try await kind.withFailableSink { sink, refusing, arrivals in
            let before = ChangeFixtures.batch(1...2)
            let refused = ChangeFixtures.batch(3...5)
            try await sink.deliver(before)

            refusing(true)
            let error = await #expect(throws: SinkDeliveryError.self) { try await sink.deliver(refused) }
            #expect(error?.isPermanent == false, "an outage is not the change's fault: \(String(describing: error))")
            #expect(try await arrivals() == before.map(Arrival.init))

            refusing(false)
            try await sink.deliver(refused)
            #expect(try await arrivals() == (before + refused).map(Arrival.init))
        }
    }

    @Test("what was delivered before a shutdown is at the destination after it", arguments: SinkKind.allCases)
    func shutdownKeepsWhatWasDelivered(kind: SinkKind) async throws {
        try await kind.withSink { sink, arrivals in
            let batch = ChangeFixtures.batch(1...4)
            try await sink.deliver(batch)
            try await sink.shutdown()
            #expect(try await arrivals() == batch.map(Arrival.init))
        }
    }

    @Test("the sink has a name", arguments: SinkKind.allCases)
    func hasAName(kind: SinkKind) async throws {
        try await kind.withSink { sink, _ in
            #expect(sink.name == kind.rawValue)
        }
    }
}
