import Foundation
import Testing
@testable import StreamLyStorage

@Suite struct AWSURIEncodingTests {
    @Test func unreservedCharactersAreKept() {
        #expect(AWSURIEncoding.encode("AZaz09-_.~") == "AZaz09-_.~")
    }

    @Test func everythingElseIsEncodedUpperCase() {
        #expect(AWSURIEncoding.encode("a b/c=d&e+f*g") == "a%20b%2Fc%3Dd%26e%2Bf%2Ag")
        #expect(AWSURIEncoding.encode("é") == "%C3%A9")
    }

    @Test func pathKeepsSlashes() {
        #expect(AWSURIEncoding.encodePath("/bucket/dir/a b+c.txt") == "/bucket/dir/a%20b%2Bc.txt")
    }

    @Test func queryIsSortedByNameThenValue() {
        let query = AWSURIEncoding.canonicalQuery([(name: "b", value: "2"), (name: "a", value: "z"),
                                                   (name: "a", value: "y"), (name: "uploads", value: "")])
        #expect(query == "a=y&a=z&b=2&uploads=")
    }

    @Test func timestampRendering() {
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 1_369_353_600)).amzDate == "20130524T000000Z")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 951_825_599)).amzDate == "20000229T115959Z")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 0)).dateStamp == "19700101")
        #expect(SigV4Timestamp(amzDate: "20130524T000000") == nil)
    }

    @Test func pathAndVirtualHostedAddressing() throws {
        let path = try S3Configuration(endpoint: "http://127.0.0.1:27200", region: "us-east-1", bucket: "media",
                                       accessKeyID: "a", secretAccessKey: "b")
        #expect(path.address(key: "hls/a b.ts").urlString() == "http://127.0.0.1:27200/media/hls/a%20b.ts")
        #expect(path.address(key: nil).host == "127.0.0.1:27200")
        let virtual = try S3Configuration(endpoint: "https://s3.eu-west-1.amazonaws.com:443", region: "eu-west-1",
                                          bucket: "media", accessKeyID: "a", secretAccessKey: "b",
                                          addressingStyle: .virtualHosted)
        #expect(virtual.address(key: "x/y").urlString(query: [(name: "uploadId", value: "a/b")])
            == "https://media.s3.eu-west-1.amazonaws.com/x/y?uploadId=a%2Fb")
        #expect(throws: S3Error.self) {
            try S3Configuration(endpoint: "ftp://h", region: "r", bucket: "b", accessKeyID: "a", secretAccessKey: "b")
        }
    }

    @Test func errorDocumentIsParsed() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message>\
            <Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """
        let root = try #require(S3XMLElement.parse(Array(xml.utf8)))
        #expect(root.name == "Error")
        #expect(root.text("Code") == "NoSuchKey")
        #expect(root.text("RequestId") == "4442587FB7D0A2F9")
        #expect(S3XMLElement.parse(Array("<Error><Code>".utf8)) == nil)
    }

    @Test func listingIsParsed() throws {
        let xml = """
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>\
            <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>\
            <NextContinuationToken>tok==</NextContinuationToken>\
            <Contents><Key>p/a &amp; b</Key><Size>3</Size><ETag>&quot;abc&quot;</ETag></Contents>\
            <Contents><Key>p/c</Key><Size>0</Size><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag></Contents>\
            </ListBucketResult>
            """
        let listing = try S3Client.listing(from: #require(S3XMLElement.parse(Array(xml.utf8))))
        #expect(listing.objects == [ObjectInfo(key: "p/a & b", size: 3, etag: "abc"),
                                    ObjectInfo(key: "p/c", size: 0, etag: "d41d8cd98f00b204e9800998ecf8427e")])
        #expect(listing.nextContinuationToken == "tok==")
    }
}
