/// A line diff in the `diff -u` format, from a longest-common-subsequence table. Manifests are a
/// few dozen lines, so the quadratic table is small; very large inputs fall back to replacing
/// every line.
public enum UnifiedDiff {
    /// The unified diff of `old` and `new` (empty when they are equal), with `context` lines of
    /// context around each change. `oldName` and `newName` go in the `---`/`+++` headers.
    public static func make(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let oldLines = lines(old)
        let newLines = lines(new)
        guard oldLines != newLines else { return "" }
        let edits = editScript(oldLines, newLines)
        var output = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks(edits, context: context) {
            output += header(hunk)
            for edit in hunk {
                switch edit.kind {
                case .same: output += " \(edit.text)\n"
                case .removed: output += "-\(edit.text)\n"
                case .added: output += "+\(edit.text)\n"
                }
            }
        }
        return output
    }

    /// One line of the edit script, with how many old and new lines came before it.
    struct Edit: Equatable {
        /// Whether the line is in both texts, only the old one, or only the new one.
        enum Kind { case same, removed, added }
        let kind: Kind
        let text: String
        let oldIndex: Int
        let newIndex: Int
    }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func editScript(_ old: [String], _ new: [String]) -> [Edit] {
        let n = old.count, m = new.count
        var edits: [Edit] = []
        guard n * m <= 4_000_000 else {
            edits += old.enumerated().map { Edit(kind: .removed, text: $1, oldIndex: $0, newIndex: 0) }
            edits += new.enumerated().map { Edit(kind: .added, text: $1, oldIndex: n, newIndex: $0) }
            return edits
        }
        // common[i][j]: length of the longest common subsequence of old[i...] and new[j...].
        var common = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                common[i][j] = old[i] == new[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                edits.append(Edit(kind: .same, text: old[i], oldIndex: i, newIndex: j))
                i += 1
                j += 1
            } else if j == m || (i < n && common[i + 1][j] >= common[i][j + 1]) {
                edits.append(Edit(kind: .removed, text: old[i], oldIndex: i, newIndex: j))
                i += 1
            } else {
                edits.append(Edit(kind: .added, text: new[j], oldIndex: i, newIndex: j))
                j += 1
            }
        }
        return edits
    }

    /// Groups changes with their context; changes closer than twice the context share a hunk.
    static func hunks(_ edits: [Edit], context: Int) -> [ArraySlice<Edit>] {
        let changes = edits.indices.filter { edits[$0].kind != .same }
        guard var groupStart = changes.first else { return [] }
        var groupEnd = groupStart
        var result: [ArraySlice<Edit>] = []
        func close() {
            result.append(edits[max(0, groupStart - context)..<min(edits.count, groupEnd + context + 1)])
        }
        for index in changes.dropFirst() {
            if index - groupEnd > 2 * context {
                close()
                groupStart = index
            }
            groupEnd = index
        }
        close()
        return result
    }

    static func header(_ hunk: ArraySlice<Edit>) -> String {
        guard let first = hunk.first else { return "" }
        let oldCount = hunk.filter { $0.kind != .added }.count
        let newCount = hunk.filter { $0.kind != .removed }.count
        func range(_ start: Int, _ count: Int) -> String {
            switch count {
            case 0: "\(start),0"
            case 1: "\(start + 1)"
            default: "\(start + 1),\(count)"
            }
        }
        return "@@ -\(range(first.oldIndex, oldCount)) +\(range(first.newIndex, newCount)) @@\n"
    }
}
