import Foundation
import Testing
@testable import StreamLyStorage

/// The examples published with the S3 SigV4 documentation ("Examples: Signature Calculations",
/// header-based auth, and "Query Parameters" for presigned URLs).
@Suite struct SigV4SignerTests {
    static let credentials = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let signer = SigV4Signer(credentials: credentials, region: "us-east-1")
    static let timestamp = SigV4Timestamp(amzDate: "20130524T000000Z")!
    static let host = "examplebucket.s3.amazonaws.com"

    @Test func getObjectWithRange() {
        var request = SigV4Request(method: "GET", path: "/test.txt",
                                   headers: [(name: "Host", value: Self.host), (name: "Range", value: "bytes=0-9")],
                                   payloadHash: SigV4Signer.emptyPayloadHash)
        let added = Self.signer.sign(&request, timestamp: Self.timestamp)
        #expect(Self.signer.canonicalRequest(request) == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(Self.signer.stringToSign(canonicalRequest: Self.signer.canonicalRequest(request), timestamp: Self.timestamp)
            == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(added.last?.value == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SigV4Signer.payloadHash(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SigV4Request(
            method: "PUT", path: "/test$file.text",
            headers: [(name: "Host", value: Self.host), (name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"),
                      (name: "x-amz-date", value: "20130524T000000Z"), (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
                      (name: "x-amz-content-sha256", value: hash)],
            payloadHash: hash)
        #expect(Self.signer.canonicalRequest(request).split(separator: "\n")[1] == "/test%24file.text")
        #expect(Self.signer.signature(for: request, timestamp: Self.timestamp)
            == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycle() {
        let request = SigV4Request(
            method: "GET", path: "/", query: [(name: "lifecycle", value: "")],
            headers: [(name: "Host", value: Self.host), (name: "x-amz-date", value: "20130524T000000Z"),
                      (name: "x-amz-content-sha256", value: SigV4Signer.emptyPayloadHash)],
            payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(Self.signer.signature(for: request, timestamp: Self.timestamp)
            == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjectsQueryIsSorted() {
        let request = SigV4Request(
            method: "GET", path: "/", query: [(name: "prefix", value: "J"), (name: "max-keys", value: "2")],
            headers: [(name: "Host", value: Self.host), (name: "x-amz-date", value: "20130524T000000Z"),
                      (name: "x-amz-content-sha256", value: SigV4Signer.emptyPayloadHash)],
            payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(Self.signer.canonicalRequest(request).split(separator: "\n", omittingEmptySubsequences: false)[2]
            == "max-keys=2&prefix=J")
        #expect(Self.signer.signature(for: request, timestamp: Self.timestamp)
            == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func presignedGet() throws {
        let query = try Self.signer.presignedQuery(method: "GET", host: Self.host, path: "/test.txt",
                                                   expires: 86_400, timestamp: Self.timestamp)
        #expect(query.map(\.name) == ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                      "X-Amz-SignedHeaders", "X-Amz-Signature"])
        #expect(query.last?.value == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func presignedURLThroughVirtualHostedClientConfiguration() throws {
        let configuration = try S3Configuration(
            endpoint: "https://s3.amazonaws.com", region: "us-east-1", bucket: "examplebucket",
            accessKeyID: Self.credentials.accessKeyID, secretAccessKey: Self.credentials.secretAccessKey,
            addressingStyle: .virtualHosted)
        let client = S3Client(configuration: configuration, now: { Date(timeIntervalSince1970: 1_369_353_600) })
        let url = try client.presignedURL(method: .get, key: "test.txt", expires: 86_400)
        #expect(url.absoluteString == "https://examplebucket.s3.amazonaws.com/test.txt"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test(arguments: [0, -1, 604_801])
    func presignExpiryOutOfRange(expires: Int) {
        #expect(throws: S3Error.self) {
            try Self.signer.presignedQuery(method: "GET", host: Self.host, path: "/a", expires: expires,
                                           timestamp: Self.timestamp)
        }
    }

    @Test func presignAcceptsSevenDays() throws {
        _ = try Self.signer.presignedQuery(method: "PUT", host: Self.host, path: "/a", expires: 604_800,
                                           timestamp: Self.timestamp)
    }

    @Test func headerValuesAreTrimmedAndRepeatedHeadersJoined() {
        let request = SigV4Request(
            method: "GET", path: "/",
            headers: [(name: "Host", value: Self.host), (name: "X-Amz-Meta-A", value: "  one   two "),
                      (name: "x-amz-meta-a", value: "three")],
            payloadHash: SigV4Signer.unsignedPayload)
        #expect(Self.signer.canonicalRequest(request).contains("\nx-amz-meta-a:one two,three\n"))
        #expect(Self.signer.signedHeaders(request) == "host;x-amz-meta-a")
    }
}
