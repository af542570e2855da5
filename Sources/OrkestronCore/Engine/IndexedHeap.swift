/// A min-heap of small integer ids whose keys can change or be removed in O(log n).
///
/// The dispatcher keeps, per type, the jobs that could start a run now, keyed by their best queued run; a
/// job's key changes whenever its queue head does, so a plain heap with lazy deletion would grow without bound.
struct IndexedHeap<Key: Comparable> {
    private var heap: [Int] = []
    /// id → position in `heap`, or -1.
    private var position: [Int] = []
    private var keys: [Key?] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var minID: Int? { heap.first }

    func contains(_ id: Int) -> Bool { id < position.count && position[id] >= 0 }

    func key(of id: Int) -> Key? { id < keys.count ? keys[id] : nil }

    /// Inserts `id` with `key`, or moves it if it is already present.
    mutating func set(_ id: Int, key: Key) {
        if id >= position.count {
            position.append(contentsOf: repeatElement(-1, count: id - position.count + 1))
            keys.append(contentsOf: repeatElement(nil, count: id - keys.count + 1))
        }
        let old = keys[id]
        keys[id] = key
        if position[id] < 0 {
            heap.append(id)
            position[id] = heap.count - 1
            siftUp(heap.count - 1)
        } else if let old, key < old {
            siftUp(position[id])
        } else {
            siftDown(position[id])
        }
    }

    mutating func remove(_ id: Int) {
        guard contains(id) else { return }
        let index = position[id]
        let last = heap.count - 1
        if index != last {
            swap(index, last)
        }
        heap.removeLast()
        position[id] = -1
        keys[id] = nil
        if index < heap.count {
            siftUp(index)
            siftDown(index)
        }
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        position[heap[a]] = a
        position[heap[b]] = b
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        keys[heap[a]]! < keys[heap[b]]!
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            swap(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smallest = left
            if left + 1 < count && less(left + 1, left) { smallest = left + 1 }
            guard less(smallest, parent) else { return }
            swap(smallest, parent)
            parent = smallest
        }
    }
}
extension IndexedHeap: Sendable where Key: Sendable {}
