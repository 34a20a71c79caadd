import TwilioWebhooks

/// Whole message lives as Twilio's callbacks for them may arrive at a busy receiver: out
/// of order, interleaved across messages, some sent twice — for checking that stores and
/// instances reach the same answer whatever the order.
///
/// No life holds two different final statuses, so every message's outcome is the same in
/// any order (the first-final-wins rule never has to choose).
public struct ShuffledLives: Sendable {
    /// One callback to send: its message, status and error code.
    public struct Callback: Sendable, Hashable {
        public let sid: String
        public let status: String
        public let errorCode: Int?

        /// Its form body, as Twilio posts it.
        public var parameters: FormBody {
            CallbackFixtures.parameters(sid: sid, status: status, errorCode: errorCode)
        }

        /// Its typed form.
        public func callback() throws -> StatusCallback {
            try StatusCallback(parameters: parameters, idempotencyToken: nil)
        }
    }

    private static let lives: [[(String, Int?)]] = [
        [("queued", nil), ("sending", nil), ("sent", nil), ("delivered", nil)],
        [("queued", nil), ("sent", nil), ("delivered", nil), ("read", nil)],
        [("queued", nil), ("sent", nil), ("undelivered", 30003)],
        [("accepted", nil), ("queued", nil), ("failed", 30008)],
        [("queued", nil), ("sent", nil)],
        [("scheduled", nil), ("queued", nil), ("sending", nil)],
    ]

    /// Every callback, in the order to send them; repeats included.
    public let callbacks: [Callback]
    /// The callbacks without their repeats: each makes exactly one status change.
    public let distinct: Set<Callback>
    /// The messages, in SID order.
    public let sids: [String]

    /// `messages` messages (SIDs from `firstSID`), about one in `repeatEvery` callbacks sent
    /// twice, shuffled by `seed`.
    public init(messages: Int, firstSID: Int, repeatEvery: Int = 5, seed: UInt64 = 2026) {
        var random = SplitMix64(seed: seed)
        var callbacks: [Callback] = []
        var sids: [String] = []
        for index in 0..<messages {
            let sid = CallbackFixtures.sid(firstSID + index)
            sids.append(sid)
            for (status, errorCode) in Self.lives[index % Self.lives.count] {
                let callback = Callback(sid: sid, status: status, errorCode: errorCode)
                callbacks.append(callback)
                if random.next(repeatEvery) == 0 { callbacks.append(callback) }
            }
        }
        callbacks.shuffle(using: &random)
        self.callbacks = callbacks
        self.distinct = Set(callbacks)
        self.sids = sids
    }
}
