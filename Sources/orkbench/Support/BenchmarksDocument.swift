import Foundation

/// The generated part of docs/BENCHMARKS.md, and docs/benchmarks.json: the machine, the command and the table of a
/// full `orkbench all` run.
///
/// The table sits between two marker comments; everything outside them (the method of each row, what limits it,
/// the history of changes) is written by hand and kept as it is.
struct BenchmarksDocument: Codable {
    var machine: MachineDescription
    var command: String
    var quick: Bool
    var elapsedSeconds: Double
    var results: [BenchResult]

    static let beginMarker = "<!-- orkbench all: generated from here; edit the prose below the end marker, not this -->"
    static let endMarker = "<!-- orkbench all: generated up to here -->"

    /// The machine and the table, in Markdown.
    var markdown: String {
        var text = """
            Measured by `\(command)` in \(Int(elapsedSeconds.rounded())) s on:

            \(machine.markdown)

            | # | measure | ours | peer or limit | ratio | target | met |
            |---|---|---:|---:|---:|---|---|

            """
        for result in results {
            let ours = result.error == nil ? "\(BenchResult.format(result.ours)) \(result.unit)" : "—"
            var peer = "—"
            if let value = result.peer {
                peer = "\(BenchResult.format(value)) \(result.unit)"
                if let name = result.peerName { peer += " (\(name))" }
            }
            let ratio = result.ratio.map { "\(BenchResult.format($0))×" } ?? "—"
            let met: String
            if let error = result.error {
                met = "could not run: " + error.split(separator: "\n").prefix(3).joined(separator: " ")
            } else {
                met = result.met.map { $0 ? "**met**" : "missed" } ?? "—"
            }
            text += "| \(result.row) | \(Self.cell(result.title)) | \(ours) | \(Self.cell(peer)) | \(ratio) | "
                + "\(Self.cell(result.target)) | \(Self.cell(met)) |\n"
        }
        text += """

            Ratios read "how many times ahead": ours / peer where more is better, peer / ours where less is better. Every
            value is from this one run; each row's method is in its section below and in docs/benchmarks.json (with
            every repeat, the load average around each measure and further details).
            """
        return text
    }

    /// A table cell: no pipe or newline breaks the row.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// Writes the JSON beside the document and replaces the generated block of the document (after its first
    /// heading when it has no markers yet).
    func write(document path: String, json jsonPath: String) throws {
        try BenchResult.encoder.encode(self).write(to: URL(fileURLWithPath: jsonPath))
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# Benchmarks\n"
        let block = Self.beginMarker + "\n\n" + markdown + "\n\n" + Self.endMarker
        let updated: String
        if let begin = existing.range(of: Self.beginMarker), let end = existing.range(of: Self.endMarker),
            begin.upperBound <= end.lowerBound
        {
            updated = existing.replacingCharacters(in: begin.lowerBound..<end.upperBound, with: block)
        } else if let heading = existing.range(of: "\n") {
            updated = String(existing[..<heading.upperBound]) + "\n" + block + "\n" + existing[heading.upperBound...]
        } else {
            updated = existing + "\n\n" + block + "\n"
        }
        try updated.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
