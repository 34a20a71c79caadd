import Testing
import TidingsCore

extension StatusStore {
    /// Every page `query` lists, following each page's cursor to the next.
    ///
    /// - Parameters:
    ///   - maximumPages: past this many pages the test fails instead of paging on, so a
    ///     cursor that leads back to earlier messages fails rather than hangs.
    ///   - between: runs after each page but the last, with the number of pages so far.
    func allPages(
        of query: MessageQuery, maximumPages: Int = 1_000, between: (Int) async throws -> Void = { _ in }
    ) async throws -> [MessagePage] {
        var query = query
        var pages: [MessagePage] = []
        while true {
            let page = try await messages(matching: query)
            pages.append(page)
            guard let token = page.nextCursor else { return pages }
            try #require(pages.count < maximumPages, "paging did not end after \(maximumPages) pages")
            let cursor = try #require(MessageCursor(token: token))
            query.cursor = cursor
            try await between(pages.count)
        }
    }
}
