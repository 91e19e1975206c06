extension Migration {
    /// Version 2: videos (video on demand).
    ///
    /// - One row per video, owned by its uploader. `status` walks
    ///   `uploading → queued → transcoding → ready | failed` (a failed job may be queued again).
    /// - The upload is a tus 1.0 resource: `upload_length` (NULL until declared: tus
    ///   creation-defer-length), `upload_offset` (bytes stored durably). Bytes go to an S3
    ///   multipart upload (`multipart_id`) of fixed-size parts whose ETags sit in `parts`
    ///   (`{"1": "etag", …}`); the bytes past the last whole part are kept as the object
    ///   `uploads/{id}/tail-{offset}`. `upload_offset` only ever advances through a
    ///   compare-and-set on its previous value (`VideoStore.advanceUpload`), so two writers can
    ///   never both succeed from the same offset.
    /// - `attempts` counts transcode attempts; `renditions` is the ladder of a ready video.
    static let v2Videos = Migration(version: 2, name: "videos", statements: [
        """
        CREATE TABLE videos (
            id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            owner_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            title            text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
            status           text NOT NULL DEFAULT 'uploading'
                             CHECK (status IN ('uploading', 'queued', 'transcoding', 'ready', 'failed')),
            progress         double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
            error            text,
            upload_length    bigint CHECK (upload_length >= 0),
            upload_offset    bigint NOT NULL DEFAULT 0 CHECK (upload_offset >= 0),
            upload_metadata  text NOT NULL DEFAULT '',
            multipart_id     text,
            parts            jsonb NOT NULL DEFAULT '{}'::jsonb,
            attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            renditions       jsonb NOT NULL DEFAULT '[]'::jsonb,
            duration_seconds double precision,
            created_at       timestamptz NOT NULL DEFAULT now(),
            updated_at       timestamptz NOT NULL DEFAULT now(),
            CHECK (upload_length IS NULL OR upload_offset <= upload_length)
        )
        """,
        "CREATE INDEX videos_owner_idx ON videos (owner_id, created_at)",
    ])
}
