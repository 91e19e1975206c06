import Testing
@testable import StreamLyOrigin

@Suite("UploadWriter.StateMachine: parts, tails and commits")
struct UploadWriterStateMachineTests {
    typealias Machine = UploadWriter.StateMachine
    static let part: Int64 = 5 << 20
    static let max: Int64 = 1 << 40

    /// Feeds `count` bytes as the writer would (at most `room` at a time, uploading each full
    /// part and applying its commit); returns the commits made.
    static func feed(_ machine: inout Machine, _ count: Int64, etag: (Int) -> String = { "e\($0)" }) -> [Machine.Commit] {
        var left = count
        var commits: [Machine.Commit] = []
        while left > 0 {
            let take = min(left, machine.room)
            precondition(take > 0, "no room")
            left -= take
            if case .uploadPart(let number) = machine.received(take),
               case .commit(let commit) = machine.partUploaded(number: number, etag: etag(number)) {
                machine.committed(commit)
                commits.append(commit)
            }
        }
        return commits
    }

    @Test func freshUploadCommitsEveryPartThenTheTailAndCompletes() {
        let length = 4 * Self.part + 123
        var machine = Machine(offset: 0, length: length, maxLength: Self.max, partSize: Self.part, verifying: false)
        #expect(machine.tailToLoad == nil)
        #expect(machine.room == Self.part)
        let commits = Self.feed(&machine, length)
        #expect(commits.map(\.to) == [1, 2, 3, 4].map { $0 * Self.part })
        #expect(commits.map(\.parts) == [[1: "e1"], [2: "e2"], [3: "e3"], [4: "e4"]])
        #expect(commits.allSatisfy { $0.tail == nil })
        #expect(machine.room == 0)
        #expect(machine.buffered == 123)
        let end = machine.ended(interrupted: false, checksumMatched: nil)
        #expect(end == .save(commit: .init(from: 4 * Self.part, to: length, parts: [:], tail: length), complete: true))
    }

    @Test func resumingMidPartLoadsTheTailAndSupersedesIt() {
        let offset = Self.part + (2 << 20)
        var machine = Machine(offset: offset, length: 3 * Self.part, maxLength: Self.max, partSize: Self.part, verifying: false)
        #expect(machine.tailToLoad?.offset == offset)
        #expect(machine.tailToLoad?.count == 2 << 20)
        #expect(machine.buffered == 2 << 20)
        #expect(machine.room == 3 << 20)
        #expect(machine.received(3 << 20) == .uploadPart(number: 2))
        guard case .commit(let commit) = machine.partUploaded(number: 2, etag: "x") else {
            Issue.record("expected a commit")
            return
        }
        #expect(commit == .init(from: offset, to: 2 * Self.part, parts: [2: "x"], tail: nil))
        #expect(machine.superseded(by: commit) == offset)
        machine.committed(commit)
        #expect(machine.committed == 2 * Self.part)
        #expect(machine.uncommitted.isEmpty)
    }

    @Test func aPartAlwaysCoversTheSameBytes() {
        // Whatever the PATCH boundaries, part N is bytes [(N-1)P, NP).
        for start: Int64 in [0, 1, Self.part - 1, Self.part, Self.part + 1, 3 * Self.part + 7] {
            var machine = Machine(offset: start, length: nil, maxLength: Self.max, partSize: Self.part, verifying: false)
            #expect(machine.bufferStart == start / Self.part * Self.part)
            let commits = Self.feed(&machine, 2 * Self.part)
            for commit in commits {
                for number in commit.parts.keys { #expect(Int64(number) * Self.part == commit.to) }
            }
        }
    }

    @Test func interruptedWithoutChecksumKeepsWhatArrived() {
        var machine = Machine(offset: 0, length: 10 * Self.part, maxLength: Self.max, partSize: Self.part, verifying: false)
        _ = Self.feed(&machine, Self.part + 1_000)
        #expect(machine.committed == Self.part)
        let end = machine.ended(interrupted: true, checksumMatched: nil)
        #expect(end == .save(commit: .init(from: Self.part, to: Self.part + 1_000, parts: [:], tail: Self.part + 1_000), complete: false))
    }

    @Test func interruptedOnAPartBoundaryNeedsNoTail() {
        var machine = Machine(offset: 0, length: 10 * Self.part, maxLength: Self.max, partSize: Self.part, verifying: false)
        _ = Self.feed(&machine, 2 * Self.part)
        #expect(machine.ended(interrupted: true, checksumMatched: nil) == .save(commit: nil, complete: false))
    }

    @Test func checksumDefersEveryCommitToTheEnd() {
        var machine = Machine(offset: 100, length: 4 * Self.part, maxLength: Self.max, partSize: Self.part, verifying: true)
        #expect(Self.feed(&machine, 2 * Self.part).isEmpty)
        #expect(machine.committed == 100)
        #expect(machine.uncommitted == [1: "e1", 2: "e2"])
        var verified = machine
        #expect(verified.ended(interrupted: false, checksumMatched: true)
            == .save(commit: .init(from: 100, to: 2 * Self.part + 100, parts: [1: "e1", 2: "e2"], tail: 2 * Self.part + 100),
                     complete: false))
        var mismatched = machine
        #expect(mismatched.ended(interrupted: false, checksumMatched: false) == .discard)
        #expect(machine.ended(interrupted: true, checksumMatched: true) == .discard)
    }

    @Test func noNewBytesCommitsNothing() {
        var machine = Machine(offset: 1_234, length: 5_000, maxLength: Self.max, partSize: Self.part, verifying: false)
        #expect(machine.ended(interrupted: false, checksumMatched: nil) == .save(commit: nil, complete: false))
        var full = Machine(offset: 5_000, length: 5_000, maxLength: Self.max, partSize: Self.part, verifying: false)
        #expect(full.room == 0)
        #expect(full.ended(interrupted: false, checksumMatched: nil) == .save(commit: nil, complete: true))
    }

    @Test func lengthOnAPartBoundaryCompletesWithoutTail() {
        var machine = Machine(offset: 0, length: 2 * Self.part, maxLength: Self.max, partSize: Self.part, verifying: false)
        #expect(Self.feed(&machine, 2 * Self.part).count == 2)
        #expect(machine.room == 0)
        #expect(machine.ended(interrupted: false, checksumMatched: nil) == .save(commit: nil, complete: true))
    }

    @Test func roomStopsAtTheLengthOrTheLimit() {
        let declared = Machine(offset: 10, length: 30, maxLength: Self.max, partSize: Self.part, verifying: false)
        #expect(declared.room == 20)
        let deferred = Machine(offset: 10, length: nil, maxLength: 25, partSize: Self.part, verifying: false)
        #expect(deferred.room == 15)
        let beyond = Machine(offset: 40, length: nil, maxLength: 25, partSize: Self.part, verifying: false)
        #expect(beyond.room == 0)
    }

    @Test func smallFileIsOneTail() {
        var machine = Machine(offset: 0, length: 10, maxLength: Self.max, partSize: Self.part, verifying: false)
        #expect(machine.received(10) == .keepReading)
        #expect(machine.ended(interrupted: false, checksumMatched: nil)
            == .save(commit: .init(from: 0, to: 10, parts: [:], tail: 10), complete: true))
    }
}
