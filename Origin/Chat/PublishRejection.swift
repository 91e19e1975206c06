import StreamLyAPI
import StreamLyRetry
import StreamLyStore

/// Why the sequencer gave a record up without storing it, as its publisher is told
/// (`{op:"error", id, code, message}`, docs/api.md) and the dead-letter topic records it.
struct PublishRejection: Sendable, Equatable {
    struct Reason: Hashable, Sendable {
        let name: String
        /// PostgreSQL refuses what the record carries: storing it can never succeed.
        static let refused = Reason(name: "refused")
        /// Every append the policy allows failed for a reason that might have passed
        /// (PostgreSQL unreachable or stuck): the record is given up so the channel moves on.
        static let retriesExhausted = Reason(name: "retries_exhausted")
    }

    let reason: Reason
    /// The publisher's error code.
    let code: API.ErrorCode
    /// The publisher's message: what happened and what to do, nothing of the store's internals.
    let message: String
    /// For the operator (the dead-letter record's `reason` header and the log).
    let detail: String

    /// A record PostgreSQL refuses for what it carries.
    static func refused(_ detail: String) -> PublishRejection {
        PublishRejection(reason: .refused, code: .invalidInput,
                         message: "the message cannot be stored; it was set aside and will not be delivered",
                         detail: detail)
    }

    /// A record whose appends all failed.
    static func retriesExhausted(attempts: Int, lastError: String) -> PublishRejection {
        PublishRejection(reason: .retriesExhausted, code: .unavailable,
                         message: "the message store is unavailable; retry with the same client_id",
                         detail: "not stored after \(attempts) attempts; last error: \(lastError)")
    }
}

/// What the sequencer does after an append of a record failed (pure: it decides, the
/// sequencer sleeps, sets the record aside and answers).
enum AppendFailure {
    enum Decision: Equatable {
        /// Wait, then append again.
        case retry(after: Duration)
        /// Never append it again.
        case reject(PublishRejection)
    }

    /// The decision after `failedAttempts` appends (this one included) failed, the last with
    /// `error`: a permanent refusal at once, a retry while `policy` allows another attempt,
    /// then `retriesExhausted`.
    static func decide(_ error: any Error, failedAttempts: Int, policy: RetryPolicy) -> Decision {
        if let error = error as? StoreError, error.code == .invalidInput || error.code == .notFound {
            return .reject(.refused("\(error)"))
        }
        if error.isPermanentStatementError {
            return .reject(.refused("PostgreSQL refused the message: \(String(reflecting: error))"))
        }
        guard policy.allowsAttempt(after: failedAttempts) else {
            return .reject(.retriesExhausted(attempts: failedAttempts, lastError: "\(error)"))
        }
        return .retry(after: policy.delay(attempt: failedAttempts - 1, unit: 0))
    }
}
