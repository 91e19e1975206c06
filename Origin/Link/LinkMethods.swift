import StreamLyAPI

/// Every link method an origin serves and the feature that serves it: the one table
/// `OriginLinkRouter` dispatches from. Method names are the wire contract (`StreamLyAPI`).
enum LinkMethods {
    /// Who answers a method.
    enum Server: Sendable, Hashable {
        /// `AccountsRouter`.
        case accounts
        /// `ChatRouter`: channels, history, subscribe, publish.
        case chat
        /// `AttachmentRouter`.
        case attachments
        /// `VideoRouter`: video creation and the upload methods behind the edge's tus server.
        case videoUploads
        /// `VideoInfoRouter`: a video's state and playback URL, the public list, the owner's
        /// visibility changes and deletion.
        case videoInfo
        /// `VODRouter`: HLS objects from the object store.
        case videoObjects
        /// `LinkDiagnostics`: link tests and measurements.
        case diagnostics
        /// `EdgeDirectoryRouter`: the edges' announcements and the directory of live edges.
        case edgeDirectory
    }

    static let table: [(method: String, server: Server)] = [
        (ChatLink.Method.signup, .accounts),
        (ChatLink.Method.login, .accounts),
        (ChatLink.Method.refresh, .accounts),
        (ChatLink.Method.createChannel, .chat),
        (ChatLink.Method.listChannels, .chat),
        (ChatLink.Method.addMember, .chat),
        (ChatLink.Method.listMembers, .chat),
        (ChatLink.Method.openDirect, .chat),
        (ChatLink.Method.lookupUsers, .accounts),
        (ChatLink.Method.history, .chat),
        (ChatLink.Method.subscribe, .chat),
        (ChatLink.Method.publish, .chat),
        (ChatLink.Method.gap, .chat),
        (AttachmentLink.Method.create, .attachments),
        (AttachmentLink.Method.get, .attachments),
        (VideoLink.Method.create, .videoUploads),
        (VideoLink.Method.status, .videoUploads),
        (VideoLink.Method.patch, .videoUploads),
        (VideoLink.Method.delete, .videoUploads),
        (VODLink.Method.getVideo, .videoInfo),
        (VODLink.Method.listVideos, .videoInfo),
        (VODLink.Method.updateVideo, .videoInfo),
        (VODLink.Method.deleteVideo, .videoInfo),
        (VODLink.Method.object, .videoObjects),
        (EdgeDirectoryLink.Method.announce, .edgeDirectory),
        (EdgeDirectoryLink.Method.withdraw, .edgeDirectory),
        (EdgeDirectoryLink.Method.list, .edgeDirectory),
        ("sys.ping", .diagnostics),
        ("sys.echo", .diagnostics),
        ("sys.sink", .diagnostics),
        ("sys.source", .diagnostics),
    ]

    /// `table` by method name.
    static let servers: [String: Server] = Dictionary(uniqueKeysWithValues: table.map { ($0.method, $0.server) })

    /// Who serves `method`, or nil for an unknown method.
    static func server(for method: String) -> Server? { servers[method] }
}
