internal import CSRTP

/// Process-wide libsrtp state: `srtp_init` runs exactly once, on first use, from any thread.
public enum SRTPLibrary {
    /// The status of the one `srtp_init` call. Swift initialises globals and static
    /// properties lazily under `swift_once`, so concurrent first callers wait for a single call.
    private static let initStatus: UInt32 = srtp_init().rawValue

    /// Initialises libsrtp if needed. Every `SRTPSession` calls this; call it at start-up to
    /// fail early.
    public static func initialize() throws {
        guard initStatus == srtp_err_status_ok.rawValue else {
            throw MediaNativeError(
                code: .srtp, message: "srtp_init failed: \(SRTPSession.statusName(initStatus))",
                status: Int32(bitPattern: initStatus)
            )
        }
    }

    /// libsrtp's version string, e.g. "libsrtp2 2.5.0".
    public static var versionString: String {
        String(cString: srtp_get_version_string())
    }
}
