/// Whether two secrets are equal, in time that does not depend on where they differ
/// (libcrypto's `CRYPTO_memcmp`): for comparing tokens a client sends with the
/// configured ones. Inputs of different lengths are unequal.
public func constantTimeEquals(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
    Crypto.constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8))
}
