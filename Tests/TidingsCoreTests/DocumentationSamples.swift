import Foundation
import Testing
import TidingsCore
import TwilioWebhooks

// The code samples of TidingsCore's articles (Sources/TidingsCore/TidingsCore.docc), compiled
// and run here. `DocumentationTests` fails when an article's sample is not found, line for
// line, in this file: change both together.

// MARK: WritingASink.md

actor CountingSink: EventSink {
    nonisolated let name = "counting"
    private(set) var seen: Set<String> = []

    func deliver(_ batch: [StatusChange]) async throws {
        for change in batch {
            seen.insert(change.id)  // a repeat is the same id: counted once
        }
    }
}

// MARK: WritingAStore.md

actor DictionaryRecorder: StatusRecording {
    private var records: [String: MessageRecord] = [:]
    private var outbox: [StatusChange] = []

    func record(_ report: StatusReport, receivedAt: Date) -> RecordOutcome {
        let batch = StatusMachine.record(
            [GroupCommitQueue.Entry(report: report, receivedAt: receivedAt)],
            numberingAfter: Int64(outbox.count)
        ) { records[$0] }
        records.merge(batch.records) { $1 }  // in a database: one transaction with…
        outbox += batch.changes              // …the outbox rows
        return batch.outcomes[0]
    }
}

@Suite("The articles' samples do what the articles say")
struct DocumentationSampleTests {
    // MARK: TheStateMachine.md

    @Test func aLateSentIsHistoryNotARegression() throws {
        var machine = StatusMachine(record: nil)
        let delivered = try StatusCallback(parameters: FormBody(parsing: Array("MessageSid=SM1&MessageStatus=delivered".utf8)))
        let sent = try StatusCallback(parameters: FormBody(parsing: Array("MessageSid=SM1&MessageStatus=sent".utf8)))
        _ = machine.receive(StatusReport(delivered), at: Date(timeIntervalSince1970: 2))
        let late = machine.receive(StatusReport(sent), at: Date(timeIntervalSince1970: 3))

        #expect(machine.record?.status == .delivered)
        #expect(machine.record?.history.count == 2)
        guard case .recorded(let change) = late else {
            Issue.record("a late sent is a change, not a duplicate")
            return
        }
        #expect(!change.applied)
    }

    @Test func theCountingSinkCountsARepeatOnce() async throws {
        let sink = CountingSink()
        let callback = try StatusCallback(parameters: FormBody(parsing: Array("MessageSid=SM1&MessageStatus=sent".utf8)))
        var machine = StatusMachine(record: nil)
        guard case .recorded(let change) = machine.receive(callback, at: Date()) else { return }
        try await sink.deliver([change])
        try await sink.deliver([change])  // at least once: delivered again
        #expect(await sink.seen == [change.id])
    }

    @Test func theDictionaryRecorderNumbersChangesAndDropsRepeats() async throws {
        let recorder = DictionaryRecorder()
        let queued = try StatusCallback(parameters: FormBody(parsing: Array("MessageSid=SM1&MessageStatus=queued".utf8)))
        let sent = try StatusCallback(parameters: FormBody(parsing: Array("MessageSid=SM1&MessageStatus=sent".utf8)))
        let first = await recorder.record(StatusReport(queued), receivedAt: Date(timeIntervalSince1970: 1.0004))
        let second = await recorder.record(StatusReport(sent), receivedAt: Date(timeIntervalSince1970: 2))
        let again = await recorder.record(StatusReport(sent), receivedAt: Date(timeIntervalSince1970: 3))

        #expect(first.change?.seq == 1)
        #expect(second.change?.seq == 2)
        #expect(again.change == nil)
        #expect(again.record.status == .sent)
        #expect(first.record.firstSeenAt == Date(timeIntervalSince1970: 1))  // kept to the millisecond
    }
}

/// Every ```swift block of every article stands, line for line, in this file, so the
/// samples people copy are the samples the tests compile and run.
@Suite("TidingsCore's articles")
struct DocumentationTests {
    static let catalog = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Sources/TidingsCore/TidingsCore.docc")
    static let samples = URL(filePath: #filePath)

    static func codeBlocks(in article: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in article.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```swift") {
                current = []
            } else if line.hasPrefix("```"), let block = current {
                blocks.append(block)
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func everySampleIsCompiledHere() throws {
        let articles = try FileManager.default.contentsOfDirectory(at: Self.catalog, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
        #expect(articles.count == 4)
        let compiled = try String(contentsOf: Self.samples, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var checked = 0
        for article in articles {
            for block in Self.codeBlocks(in: try String(contentsOf: article, encoding: .utf8)) {
                let lines = block.map { $0.trimmingCharacters(in: .whitespaces) }
                let found = compiled.indices.contains { start in
                    start + lines.count <= compiled.count && Array(compiled[start..<start + lines.count]) == lines
                }
                #expect(found, "\(article.lastPathComponent): a sample is not in DocumentationSamples.swift:\n\(block.joined(separator: "\n"))")
                checked += 1
            }
        }
        #expect(checked == 3)
    }
}
