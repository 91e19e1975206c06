extension UploadWriter {
    /// The arithmetic of one PATCH: which bytes form which S3 part, when progress is
    /// committed, and what is left as a tail object. No I/O: the writer feeds it byte counts
    /// and results and performs the actions it returns.
    ///
    /// Layout (part size P): part N always holds bytes [(N−1)·P, N·P) of the file, so a part
    /// uploaded again carries the same bytes. A stored offset O that is not a multiple of P
    /// has its last O mod P bytes in the object `tail-O`; a writer starting at O loads it into
    /// its buffer first. Without a checksum, progress is committed after every whole part and
    /// at the end (or interruption) of the body; with one, only after the whole body verified.
    struct StateMachine: Sendable {
        /// A compare-and-set of the stored offset `from → to`, recording `parts`; when `tail`
        /// is set, the buffer's bytes [bufferStart, to) must first be stored as `tail-{to}`.
        struct Commit: Sendable, Equatable {
            var from: Int64
            var to: Int64
            var parts: [Int: String]
            var tail: Int64?
        }

        enum ReceiveAction: Sendable, Equatable {
            /// Read more of the body.
            case keepReading
            /// The buffer holds exactly part `number`: upload it, then call `partUploaded`.
            case uploadPart(number: Int)
        }

        enum PartAction: Sendable, Equatable {
            case keepReading
            case commit(Commit)
        }

        enum EndAction: Sendable, Equatable {
            /// Nothing of this PATCH counts (a checksum mismatch, or a verified PATCH cut short).
            case discard
            /// Perform `commit` if any, then, if `complete`, assemble the source object.
            case save(commit: Commit?, complete: Bool)
        }

        let partSize: Int64
        /// The declared length, nil while deferred.
        let length: Int64?
        /// Most bytes a deferred-length upload may reach.
        let maxLength: Int64
        /// Whether the PATCH carries a checksum (commit only after verifying it).
        let verifying: Bool
        /// The durable offset as far as this writer knows.
        private(set) var committed: Int64
        /// File offset just past the last byte received.
        private(set) var position: Int64
        /// File offset of the buffer's first byte (a multiple of the part size).
        private(set) var bufferStart: Int64
        /// Parts uploaded by this writer, not yet committed.
        private(set) var uncommitted: [Int: String] = [:]

        init(offset: Int64, length: Int64?, maxLength: Int64, partSize: Int64, verifying: Bool) {
            precondition(partSize > 0 && offset >= 0)
            self.partSize = partSize
            self.length = length
            self.maxLength = maxLength
            self.verifying = verifying
            committed = offset
            position = offset
            bufferStart = offset / partSize * partSize
        }

        /// The tail to load into the buffer before reading: `(offset, bytes)` of `tail-{offset}`.
        var tailToLoad: (offset: Int64, count: Int)? {
            position > bufferStart ? (position, Int(position - bufferStart)) : nil
        }

        /// How many more bytes may be appended before the next action: up to the part
        /// boundary, the declared length or the size limit. Zero when the upload is full.
        var room: Int64 {
            max(0, min(bufferStart + partSize, length ?? maxLength) - position)
        }

        /// Bytes in the buffer.
        var buffered: Int { Int(position - bufferStart) }

        /// `count` (≤ `room`) more bytes were appended to the buffer.
        mutating func received(_ count: Int64) -> ReceiveAction {
            precondition(count >= 0 && count <= room, "received more than room")
            position += count
            return position - bufferStart == partSize ? .uploadPart(number: Int(bufferStart / partSize) + 1) : .keepReading
        }

        /// Part `number` is stored: the buffer is empty again.
        mutating func partUploaded(number: Int, etag: String) -> PartAction {
            uncommitted[number] = etag
            bufferStart += partSize
            guard !verifying else { return .keepReading }
            return .commit(Commit(from: committed, to: bufferStart, parts: uncommitted, tail: nil))
        }

        /// The commit went through.
        mutating func committed(_ commit: Commit) {
            committed = commit.to
            for number in commit.parts.keys { uncommitted.removeValue(forKey: number) }
        }

        /// The body ended (`interrupted`: the stream failed first). `checksumMatched` is nil
        /// without a checksum.
        mutating func ended(interrupted: Bool, checksumMatched: Bool?) -> EndAction {
            if verifying, interrupted || checksumMatched != true { return .discard }
            let complete = length.map { position == $0 } ?? false
            guard position > committed else { return .save(commit: nil, complete: complete) }
            let commit = Commit(from: committed, to: position, parts: uncommitted,
                                tail: position > bufferStart ? position : nil)
            return .save(commit: commit, complete: complete)
        }

        /// The tail object a successful `commit` superseded (delete it, best effort).
        func superseded(by commit: Commit) -> Int64? {
            commit.from % partSize != 0 && commit.to != commit.from ? commit.from : nil
        }
    }
}
