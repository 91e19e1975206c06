import IntegrationSupport
import Testing

/// The end-state checks shared by the ordering and fault tests.
enum Delivery {
    /// Every participant saw, in every channel, seq 1...n exactly once each and in order,
    /// the same message at each seq as everyone else and as REST history, every expected
    /// (author, client_id) once, and every ack (retries included) names the seq its
    /// message appears under.
    static func verify(_ participants: [Participant], expected: [String: Set<String>], rest: REST,
                       reader: REST.Account, timeout: Duration = .seconds(30)) async throws {
        for (channel, keys) in expected {
            let n = Int64(keys.count)
            var reference: [Int64: String]?
            for participant in participants {
                let seen = try await participant.waitUntilSeen(channel, through: n, timeout: timeout)
                let events = await participant.received(channel)
                let last = await participant.lastSeq(channel)
                #expect(seen, "\(participant.name) saw only up to seq \(last) of \(n) in \(channel)")
                let problems = sequenceProblems(events, through: n, who: participant.name)
                #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
                let got = Set(events.map { "\($0.author ?? "")|\($0.client_id ?? "")" })
                let same = got == keys
                #expect(same, "\(participant.name): unexpected \(got.subtracting(keys).sorted().prefix(5)), missing \(keys.subtracting(got).sorted().prefix(5))")
                let ids = messageIDs(events)
                let agrees = reference.map { $0 == ids } ?? true
                #expect(agrees, "\(participant.name) saw different messages than the others")
                reference = reference ?? ids
            }
            let history = try await rest.messages(reader, channel: channel)
            #expect(seqProblem(history.map(\.seq), 1...n) == nil, "history of \(channel)")
            let historyHasThem = Set(history.map { "\($0.author)|\($0.client_id)" }) == keys
            #expect(historyHasThem, "history of \(channel) has other messages than were published")
            let historyMatches = reference.map { $0 == Dictionary(history.map { ($0.seq, $0.id) }, uniquingKeysWith: { a, _ in a }) } ?? true
            #expect(historyMatches, "history of \(channel) differs from what subscribers saw")
            for participant in participants {
                let author = participant.account.id
                let byKey = Dictionary(history.map { ("\($0.author)|\($0.client_id)", $0.seq) }, uniquingKeysWith: { a, _ in a })
                for (key, seqs) in await participant.acks where key.hasPrefix(channel + "|") {
                    let clientID = String(key.dropFirst(channel.count + 1))
                    let stored = byKey["\(author)|\(clientID)"]
                    #expect(Set(seqs).count == 1 && seqs.first == stored,
                            "\(participant.name): acks \(seqs) for \(clientID), stored at seq \(stored.map(String.init) ?? "nowhere")")
                }
            }
        }
    }
}
