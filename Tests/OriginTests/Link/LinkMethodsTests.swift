import StreamLyAPI
import Testing
@testable import StreamLyOrigin

@Suite("LinkMethods: the one table of link methods")
struct LinkMethodsTests {
    @Test func everyMethodIsListedOnce() {
        #expect(LinkMethods.servers.count == LinkMethods.table.count)
    }

    @Test func methodsReachTheirFeature() {
        #expect(LinkMethods.server(for: ChatLink.Method.login) == .accounts)
        #expect(LinkMethods.server(for: ChatLink.Method.publish) == .chat)
        #expect(LinkMethods.server(for: AttachmentLink.Method.get) == .attachments)
        #expect(LinkMethods.server(for: VideoLink.Method.patch) == .videoUploads)
        #expect(LinkMethods.server(for: VODLink.Method.getVideo) == .videoInfo)
        #expect(LinkMethods.server(for: VODLink.Method.object) == .videoObjects)
        #expect(LinkMethods.server(for: "sys.ping") == .diagnostics)
        #expect(LinkMethods.server(for: "nope.nothing") == nil)
    }
}
