extension Migration {
    /// Version 3: limits and access (issue 11).
    ///
    /// - `videos.visibility`: `private` (owner only), `unlisted` (anyone signed in with the
    ///   id, the default so existing links keep working), `public` (listed).
    /// - The attachment-readers lookup (`AttachmentStore.channels(carrying:)`: which messages
    ///   carry an attachment) uses a GIN index on the messages that have attachments, instead
    ///   of scanning every message per download.
    /// - Indexes for the per-user quotas: channels by creator; pending attachments by owner
    ///   and age (also what the sweep of never-completed attachments reads); uploading videos
    ///   by age (the sweep of never-completed uploads).
    static let v3Limits = Migration(version: 3, name: "limits and access", statements: [
        """
        ALTER TABLE videos ADD COLUMN visibility text NOT NULL DEFAULT 'unlisted'
            CHECK (visibility IN ('private', 'unlisted', 'public'))
        """,
        "CREATE INDEX videos_public_idx ON videos (created_at, id) WHERE visibility = 'public' AND status = 'ready'",
        "CREATE INDEX videos_uploading_idx ON videos (updated_at) WHERE status = 'uploading'",
        """
        CREATE INDEX messages_attachments_idx ON messages USING gin (attachments jsonb_path_ops)
            WHERE attachments <> '[]'::jsonb
        """,
        "CREATE INDEX channels_creator_idx ON channels (created_by)",
        "CREATE INDEX attachments_pending_idx ON attachments (created_at) WHERE status = 'pending'",
    ])
}
