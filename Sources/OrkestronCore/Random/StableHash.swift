/// FNV-1a over UTF-8: a hash that is the same in every process and on every run.
///
/// Swift's `Hasher` is seeded per process, so anything that must agree across restarts — a job's random stream,
/// a stored definition's change-detection hash — uses this instead.
public enum StableHash {
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
