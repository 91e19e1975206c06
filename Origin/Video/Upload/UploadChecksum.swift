import Crypto
import Foundation
import NIOCore

/// A PATCH body's expected digest (tus checksum extension): `<algorithm> <base64 digest>`.
struct UploadChecksum: Sendable, Equatable {
    /// The algorithms offered in `Tus-Checksum-Algorithm`.
    enum Algorithm: String, Sendable, CaseIterable {
        case sha1, md5, sha256

        var digestSize: Int {
            switch self {
            case .sha1: 20
            case .md5: 16
            case .sha256: 32
            }
        }
    }

    var algorithm: Algorithm
    var digest: [UInt8]

    /// Parses the `checksum` metadata value; nil when malformed or of an unknown algorithm.
    init?(_ value: String) {
        let fields = value.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 2, let algorithm = Algorithm(rawValue: fields[0].lowercased()),
              let digest = Data(base64Encoded: String(fields[1])), digest.count == algorithm.digestSize else { return nil }
        self.algorithm = algorithm
        self.digest = Array(digest)
    }

    /// Incremental digest of the bytes fed to it.
    struct Hasher {
        private enum Kind {
            case sha1(Insecure.SHA1)
            case md5(Insecure.MD5)
            case sha256(SHA256)
        }

        private var kind: Kind

        init(_ algorithm: Algorithm) {
            switch algorithm {
            case .sha1: kind = .sha1(Insecure.SHA1())
            case .md5: kind = .md5(Insecure.MD5())
            case .sha256: kind = .sha256(SHA256())
            }
        }

        mutating func update(_ buffer: ByteBuffer) {
            buffer.withUnsafeReadableBytes { bytes in
                switch kind {
                case .sha1(var hash):
                    hash.update(bufferPointer: bytes)
                    kind = .sha1(hash)
                case .md5(var hash):
                    hash.update(bufferPointer: bytes)
                    kind = .md5(hash)
                case .sha256(var hash):
                    hash.update(bufferPointer: bytes)
                    kind = .sha256(hash)
                }
            }
        }

        func finalize() -> [UInt8] {
            switch kind {
            case .sha1(let hash): Array(hash.finalize())
            case .md5(let hash): Array(hash.finalize())
            case .sha256(let hash): Array(hash.finalize())
            }
        }
    }
}
