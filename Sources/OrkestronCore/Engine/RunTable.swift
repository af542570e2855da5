/// The active runs, in a slab indexed by a small integer key.
///
/// Runs are created and forgotten millions of times per second in simulation; reusing slots through a free
/// list avoids the hashing and rehashing a dictionary would cost. A reused key is told apart from its previous
/// occupant by the run's `serial` and by timer tokens, which are never reused.
struct RunTable {
    private var storage: [RunRecord?] = []
    private var free: [Int] = []
    private(set) var count = 0

    /// The key the next `insert` will use.
    var nextKey: Int { free.last ?? storage.count }

    subscript(key: Int) -> RunRecord? {
        get { storage[key] }
        _modify { yield &storage[key] }
    }

    mutating func insert(_ run: RunRecord) {
        let key = run.key
        if let last = free.last, last == key {
            free.removeLast()
            storage[key] = run
        } else {
            precondition(key == storage.count, "runs are inserted at nextKey")
            storage.append(run)
        }
        count += 1
    }

    mutating func remove(_ key: Int) -> RunRecord? {
        guard let run = storage[key] else { return nil }
        storage[key] = nil
        free.append(key)
        count -= 1
        return run
    }
}
