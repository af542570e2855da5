/// A min-heap of comparable elements.
///
/// Backs the engine's timers and per-job run queues. The standard library has no priority queue, and one small
/// structure does not justify the engine's only external dependency.
struct BinaryHeap<Element: Comparable> {
    private(set) var elements: [Element] = []

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }
    var min: Element? { elements.first }

    mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func popMin() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let result = elements.removeLast()
        var parent = 0
        let count = elements.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var smallest = left
            let right = left + 1
            if right < count && elements[right] < elements[left] { smallest = right }
            guard elements[smallest] < elements[parent] else { break }
            elements.swapAt(smallest, parent)
            parent = smallest
        }
        return result
    }

    /// Removes every element matching `predicate` and restores the heap; O(n), for rare bulk changes.
    mutating func removeAll(where predicate: (Element) -> Bool) {
        let kept = elements.filter { !predicate($0) }
        guard kept.count != elements.count else { return }
        elements = []
        elements.reserveCapacity(kept.count)
        for element in kept { insert(element) }
    }
}
extension BinaryHeap: Sendable where Element: Sendable {}
