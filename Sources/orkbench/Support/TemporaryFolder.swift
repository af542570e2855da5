import Foundation

/// A folder under /tmp for one measure's daemon, database or peer, removed at the end.
struct TemporaryFolder {
    let path: String

    init(_ label: String) throws {
        var template = Array("/tmp/orkbench-\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BenchError("cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
