/// Serial-number arithmetic on RTP sequence numbers (RFC 3550 §A.1, RFC 1982): `a` is newer
/// than `b` when the forward distance from `b` to `a` is in 1..<2^15.
@inlinable
public func rtpSequence(_ a: UInt16, isNewerThan b: UInt16) -> Bool {
    let distance = a &- b
    return distance != 0 && distance < 0x8000
}

/// The same rule for 32-bit RTP timestamps.
@inlinable
public func rtpTimestamp(_ a: UInt32, isNewerThan b: UInt32) -> Bool {
    let distance = a &- b
    return distance != 0 && distance < 0x8000_0000
}
