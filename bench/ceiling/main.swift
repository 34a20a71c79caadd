import Hummingbird

/// The ceiling of the load benchmark: a Hummingbird server that answers every callback
/// `204` at once — no signature, no parsing, no store. Whatever a Swift handler on
/// Hummingbird does costs throughput below this (bench/run.sh).
///
///     hummingbird-ceiling PORT
let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8091
let router = Router()
router.post("/twilio/status") { _, _ in HTTPResponse.Status.noContent }
let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await application.runService()
