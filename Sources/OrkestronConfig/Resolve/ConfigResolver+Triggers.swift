extension ConfigResolver {
    static let maxCycleNames = 12

    /// `on_success` / `on_failure` must name existing jobs and must not form a cycle (SPEC §8), or one failure
    /// could start jobs forever.
    mutating func checkTriggers() {
        let known = jobs.map(\.id)
        if allFilesParsed {
            for edge in triggerEdges where jobOrigins[edge.to] == nil {
                report(
                    "\"\(edge.kind.rawValue)\" names unknown job \"\(edge.to)\"\(Suggestions.hint(for: edge.to, in: known))",
                    file: edge.file, path: edge.path)
            }
        }
        for cycle in triggerCycles() {
            let edge = cycle.edges[0]
            var names = cycle.edges.map(\.from) + [edge.from]
            var suffix = ""
            if names.count > Self.maxCycleNames {
                // A long chain: its start and end say enough, and the message stays one readable line.
                suffix = " (\(cycle.edges.count) jobs)"
                names = names.prefix(Self.maxCycleNames - 2) + ["…"] + names.suffix(2)
            }
            report(
                "on_success/on_failure form a cycle: " + names.joined(separator: " -> ") + suffix, file: edge.file,
                path: edge.path)
        }
    }

    /// One cycle per back edge of a depth-first search over the jobs in file order, each reported once.
    ///
    /// The search is iterative: a long chain of triggers must not exhaust the stack.
    private func triggerCycles() -> [(edges: [TriggerEdge], key: [String])] {
        var outgoing: [String: [TriggerEdge]] = [:]
        for edge in triggerEdges where jobOrigins[edge.to] != nil {
            outgoing[edge.from, default: []].append(edge)
        }
        enum Mark {
            case active
            case done
        }
        var marks: [String: Mark] = [:]
        var cycles: [(edges: [TriggerEdge], key: [String])] = []
        var seenKeys: Set<[String]> = []
        for root in jobs.map(\.id) where marks[root] == nil {
            // Each frame: a job, the edges taken to reach it, and the next outgoing edge to follow.
            var stack: [(job: String, next: Int)] = [(root, 0)]
            var path: [TriggerEdge] = []
            marks[root] = .active
            while let top = stack.last {
                let edges = outgoing[top.job] ?? []
                guard top.next < edges.count else {
                    marks[top.job] = .done
                    stack.removeLast()
                    if !path.isEmpty { path.removeLast() }
                    continue
                }
                stack[stack.count - 1].next += 1
                let edge = edges[top.next]
                switch marks[edge.to] {
                case .active?:
                    let start = path.firstIndex { $0.from == edge.to } ?? path.count
                    let cycle = Array(path[start...]) + [edge]
                    let key = canonicalKey(cycle.map(\.from))
                    if seenKeys.insert(key).inserted {
                        cycles.append((startingAtEarliestJob(cycle), key))
                    }
                case .done?:
                    continue
                case nil:
                    marks[edge.to] = .active
                    path.append(edge)
                    stack.append((edge.to, 0))
                }
            }
        }
        return cycles
    }

    /// The cycle's jobs rotated to start at the smallest id, so the same cycle found twice is recognised.
    private func canonicalKey(_ jobs: [String]) -> [String] {
        guard let smallest = jobs.indices.min(by: { jobs[$0] < jobs[$1] }) else { return jobs }
        return Array(jobs[smallest...] + jobs[..<smallest])
    }

    /// The cycle rotated to start at the job defined first, so the error points at a stable place.
    private func startingAtEarliestJob(_ cycle: [TriggerEdge]) -> [TriggerEdge] {
        let order = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.id, $0) })
        guard let first = cycle.indices.min(by: { order[cycle[$0].from] ?? .max < order[cycle[$1].from] ?? .max })
        else { return cycle }
        return Array(cycle[first...] + cycle[..<first])
    }
}
