import OrkestronCore
import Testing

@testable import OrkestronConfig

/// The position index finds where each key and value starts, without being fooled by strings or comments.
@Suite("Source positions")
struct SourcePositionsTests {
    private func at(_ line: Int, _ column: Int) -> SourcePosition { SourcePosition(line: line, column: column) }

    /// Headers, arrays of tables counted per file, and plain keys.
    @Test("tables, arrays of tables and keys")
    func tablesAndKeys() {
        let positions = SourcePositions(scanning: """
            top = 1
            [daemon]
              socket = "/run/x.sock"
            [[job]]
            id = "a"
            [[job]]
            id = "b"
            [ types . sync ]
            priority = 5
            """)
        #expect(positions.key(at: "top") == at(1, 1))
        #expect(positions.value(at: "top") == at(1, 7))
        #expect(positions.key(at: "daemon") == at(2, 1))
        #expect(positions.key(at: "daemon.socket") == at(3, 3))
        #expect(positions.value(at: "daemon.socket") == at(3, 12))
        #expect(positions.key(at: "job") == at(4, 1))
        #expect(positions.key(at: "job[0]") == at(4, 1))
        #expect(positions.key(at: "job[1]") == at(6, 1))
        #expect(positions.value(at: "job[1].id") == at(7, 6))
        #expect(positions.key(at: "types.sync") == at(8, 1))
        #expect(positions.key(at: "types.sync.priority") == at(9, 1))
    }

    /// Inline tables (also nested and across lines) and array elements get their own paths.
    @Test("inline tables and array elements")
    func inlineTablesAndArrays() {
        let positions = SourcePositions(scanning: """
            [[job]]
            retry = { max_retries = 3, backoff = "fixed" }
            on_success = [
                "a",   # first
                'b',
            ]
            env = { inner = { deep = true } }
            matrix = [[1, 2], [3]]
            """)
        #expect(positions.key(at: "job[0].retry") == at(2, 1))
        #expect(positions.value(at: "job[0].retry") == at(2, 9))
        #expect(positions.key(at: "job[0].retry.max_retries") == at(2, 11))
        #expect(positions.value(at: "job[0].retry.max_retries") == at(2, 25))
        #expect(positions.key(at: "job[0].retry.backoff") == at(2, 28))
        #expect(positions.value(at: "job[0].on_success[0]") == at(4, 5))
        #expect(positions.value(at: "job[0].on_success[1]") == at(5, 5))
        #expect(positions.key(at: "job[0].env.inner.deep") == at(7, 19))
        #expect(positions.value(at: "job[0].matrix[1]") == at(8, 19))
        #expect(positions.value(at: "job[0].matrix[0][1]") == at(8, 15))
    }

    /// `=`, `#` and brackets inside strings of every kind are text, not structure.
    @Test("strings that look like structure")
    func trickyStrings() {
        let positions = SourcePositions(scanning: #"""
            a = "x = [y] # z"  # comment = 1
            b = 'c:\path\[x]'
            c = """
            [not_a_table]
            d = "no"
            """
            e = '''
            [[job]] ''' # trailing
            f = "escaped \" quote = # ["
            "quoted.key" = 1
            'literal key' = 2
            g = 1979-05-27 07:32:00Z
            h = 3
            """#)
        #expect(positions.key(at: "a") == at(1, 1))
        #expect(positions.key(at: "b") == at(2, 1))
        #expect(positions.key(at: "c") == at(3, 1))
        #expect(positions.key(at: "not_a_table") == nil)
        #expect(positions.key(at: "d") == nil)
        #expect(positions.key(at: "e") == at(7, 1))
        #expect(positions.key(at: "job") == nil)
        #expect(positions.key(at: "f") == at(9, 1))
        #expect(positions.key(at: #""quoted.key""#) == at(10, 1))
        #expect(positions.key(at: #""literal key""#) == at(11, 1))
        #expect(positions.value(at: "g") == at(12, 5))
        #expect(positions.key(at: "h") == at(13, 1))
    }

    /// Dotted keys name every level; a sub-table header after `[[job]]` belongs to the latest job.
    @Test("dotted keys and sub-tables of arrays of tables")
    func dottedKeys() {
        let positions = SourcePositions(scanning: """
            [[job]]
            id = "a"
            [[job]]
            retry.max_retries = 2
            [job.environment]
            LANG = "C"
            """)
        #expect(positions.key(at: "job[1].retry") == at(4, 1))
        #expect(positions.key(at: "job[1].retry.max_retries") == at(4, 1))
        #expect(positions.value(at: "job[1].retry.max_retries") == at(4, 21))
        #expect(positions.key(at: "job[1].environment") == at(5, 1))
        #expect(positions.key(at: "job[1].environment.LANG") == at(6, 1))
    }

    /// Columns count Unicode scalars; a byte-order mark and CRLF line ends do not shift them.
    @Test("unicode, BOM and CRLF")
    func unicodeColumns() {
        let positions = SourcePositions(scanning: "\u{FEFF}a = \"héllo\" \r\nb = 1\r\n")
        #expect(positions.key(at: "a") == at(1, 1))
        #expect(positions.key(at: "b") == at(2, 1))
        #expect(positions.value(at: "b") == at(2, 5))
    }

    /// On text it cannot read the scanner moves on to the next line; it never stops early or loops.
    @Test("garbage never stops the scan")
    func garbage() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("ab=[]{}\"'#.,\n \\1:\t")
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 60)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            _ = SourcePositions(scanning: text)
        }
        let positions = SourcePositions(scanning: "x = [1, {a = ]\n= 3\nafter = 1\n")
        #expect(positions.key(at: "after") == at(3, 1))
    }
}
