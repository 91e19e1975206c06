extension Migration {
    /// Version 4: the edge directory (issue 14).
    ///
    /// - One row per live edge, written by its announcements (`EdgeStore.announce`, about once
    ///   a second through whichever origin the edge reaches): `record` is the announcement as
    ///   JSON (region, public addresses, load, draining), `calls` the channels whose calls have
    ///   participants on the edge. A row is live while `expires_at` is in the future; expired
    ///   rows are ignored by every read and deleted by a later announcement.
    static let v4EdgeDirectory = Migration(version: 4, name: "edge directory", statements: [
        """
        CREATE TABLE edges (
            id           text PRIMARY KEY,
            region       text NOT NULL,
            record       text NOT NULL,
            calls        text[] NOT NULL DEFAULT '{}',
            announced_at timestamptz NOT NULL DEFAULT now(),
            expires_at   timestamptz NOT NULL
        )
        """,
        "CREATE INDEX edges_calls_idx ON edges USING gin (calls)",
    ])
}
