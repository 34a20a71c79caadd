import Testing

@testable import tidings

/// `ServerSentEventParser`: the WHATWG rules for reading an event stream, fed in pieces.
@Suite("Server-Sent Events parser")
struct CLIServerSentEventsTests {
    /// Feeds `text` to a fresh parser in chunks of `chunkSize` bytes.
    private func events(_ text: String, chunkSize: Int = .max) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        let bytes = Array(text.utf8)
        return stride(from: 0, to: bytes.count, by: chunkSize).flatMap { start in
            parser.consume(bytes[start..<min(bytes.count, start + chunkSize)])
        }
    }

    @Test func anEventIsItsFieldsUpToABlankLine() {
        #expect(events("id: 7\nevent: status\ndata: {\"a\":1}\n\n") == [ServerSentEvent(id: "7", type: "status", data: "{\"a\":1}")])
    }

    @Test(arguments: [1, 2, 3, 5, 64])
    func everyLineEndingInEveryChunkingGivesTheSameEvents(chunkSize: Int) {
        let expected = [
            ServerSentEvent(id: "1", type: "status", data: "one"),
            ServerSentEvent(id: "2", type: "status", data: "two"),
            ServerSentEvent(id: "3", type: "status", data: "three"),
        ]
        let stream = "id: 1\r\nevent: status\r\ndata: one\r\n\r\n" + "id: 2\nevent: status\ndata: two\n\n"
            + "id: 3\revent: status\rdata: three\r\r"
        #expect(events(stream, chunkSize: chunkSize) == expected)
    }

    @Test func dataLinesJoinWithLineFeeds() {
        #expect(events("data: first\ndata:second\ndata\n\n") == [ServerSentEvent(id: nil, type: "message", data: "first\nsecond\n")])
    }

    @Test func onlyOneSpaceAfterTheColonIsDropped() {
        #expect(events("data:  two spaces\n\n").map(\.data) == [" two spaces"])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() {
        #expect(events(": keep-alive\n\n: tidings events from seq 4\nfoo: bar\ndata: x\n\n").map(\.data) == ["x"])
    }

    @Test func aBlockWithoutDataIsNoEventButItsIdStays() {
        var parser = ServerSentEventParser()
        #expect(parser.consume(Array("id: 41\n\n".utf8)).isEmpty)
        #expect(parser.lastEventID == "41")
        #expect(parser.consume(Array("data: x\n\n".utf8)) == [ServerSentEvent(id: "41", type: "message", data: "x")])
    }

    @Test func anEventTypeDoesNotCarryOverButTheIdDoes() {
        #expect(events("id: 5\nevent: status\ndata: a\n\ndata: b\n\n") == [
            ServerSentEvent(id: "5", type: "status", data: "a"), ServerSentEvent(id: "5", type: "message", data: "b"),
        ])
    }

    @Test func anEmptyIdClearsTheLastEventID() {
        var parser = ServerSentEventParser(lastEventID: "9")
        _ = parser.consume(Array("id\ndata: x\n\n".utf8))
        #expect(parser.lastEventID == nil)
    }

    @Test func anIdWithANullIsIgnored() {
        var parser = ServerSentEventParser(lastEventID: "9")
        _ = parser.consume(Array("id: 1\u{0}2\n\n".utf8))
        #expect(parser.lastEventID == "9")
    }

    @Test func retryTakesOnlyDigits() {
        var parser = ServerSentEventParser()
        _ = parser.consume(Array("retry: 2500\nretry: soon\n".utf8))
        #expect(parser.retryMilliseconds == 2500)
    }

    @Test func anUnfinishedEventIsNotDispatched() {
        #expect(events("data: complete\n\ndata: cut off").map(\.data) == ["complete"])
    }

    @Test func aByteOrderMarkAtTheStartIsSkipped() {
        #expect(events("\u{FEFF}data: x\n\n").map(\.data) == ["x"])
    }

    @Test func multiByteCharactersSplitAcrossChunksSurvive() {
        #expect(events("data: → délivré ✓\n\n", chunkSize: 1).map(\.data) == ["→ délivré ✓"])
    }
}
