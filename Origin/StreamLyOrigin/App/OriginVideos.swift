import Logging
import StreamLyStorage
import StreamLyStore

/// The video half of an origin: object storage and the upload methods.
struct OriginVideos: Sendable {
    let objects: any ObjectStore
    let router: VideoRouter

    /// Assembles the upload path on the object store; `hooks` are told about upload progress
    /// and completion.
    static func make(configuration: OriginConfiguration, store objects: any ObjectStore, database: Database,
                     hooks: UploadHooks, logger: Logger) -> OriginVideos {
        let videos = VideoStore(database: database)
        let settings = UploadSettings(partSize: configuration.upload.partBytes, maxLength: configuration.upload.maxBytes)
        let finisher = UploadFinisher(videos: videos, objects: objects, partSize: settings.partSize, hooks: hooks, logger: logger)
        let writer = UploadWriter(videos: videos, objects: objects, settings: settings, hooks: hooks, finisher: finisher,
                                  logger: logger)
        return OriginVideos(objects: objects, router: VideoRouter(videos: videos, writer: writer, locks: UploadLocks()))
    }
}
