import Foundation
import Logging
import ServiceLifecycle
import StreamLyStorage
import StreamLyStore

/// Removes what users started and never finished, every `sweep.interval.seconds`: videos
/// still `uploading` whose last byte arrived more than `sweep.upload.age.seconds` ago (the
/// row, the S3 multipart upload and the stored tail), and attachments announced more than
/// `sweep.attachment.age.seconds` ago that no message carries (the row and its object).
/// Every origin sweeps; rows another origin is removing at that moment are skipped.
struct AbandonedUploadSweeper: Service {
    let videos: VideoStore
    let attachments: AttachmentStore
    let objects: any ObjectStore
    let finisher: UploadFinisher
    let settings: QuotaSettings
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: .seconds(settings.sweepIntervalSeconds))) != nil {
                await sweepOnce()
            }
        }
    }

    /// One pass over both; failures are logged and retried at the next pass.
    func sweepOnce() async {
        do {
            for video in try await videos.sweepStaleUploads(olderThan: settings.uploadMaxAgeSeconds) {
                await finisher.deleteAll(video)
                logger.notice("never-completed upload removed", metadata: ["video": "\(video.id)",
                                                                           "offset": "\(video.upload.offset)"])
            }
        } catch {
            logger.warning("upload sweep failed", metadata: ["error": "\(error)"])
        }
        do {
            for key in try await attachments.sweepPending(olderThan: settings.attachmentMaxAgeSeconds) {
                do { try await objects.deleteObject(key: key) } catch {
                    logger.warning("attachment object not deleted", metadata: ["key": "\(key)", "error": "\(error)"])
                }
                logger.notice("never-sent attachment removed", metadata: ["key": "\(key)"])
            }
        } catch {
            logger.warning("attachment sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
