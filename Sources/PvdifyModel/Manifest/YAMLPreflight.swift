internal import CYaml

/// Walks a YAML text's parser events, without building any node, and refuses what would make
/// building it expensive: anchors and aliases (an alias bomb expands exponentially), too many
/// documents or nodes, too deep nesting, over-long scalars. Runs before Yams composes the text.
enum YAMLPreflight {
    /// Throws a `ValidationError` for the first limit passed; syntax errors are left to the parser
    /// that follows, which reports them with their place.
    static func check(_ text: String, limits: DocumentLimits) throws {
        // The parser keeps a pointer to itself (its input's read handler is handed the parser), so
        // it must stay at one address for its whole life: memory of its own, never a Swift local
        // passed with `&`, whose address is only good for the one call.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw ValidationError(field: "", message: "the YAML parser could not start")
        }
        defer { yaml_parser_delete(parser) }
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var counter = Counter(limits: limits)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(parser, &event) == 1 else { return }
                let finished = event.type == YAML_STREAM_END_EVENT
                defer { yaml_event_delete(&event) }
                try counter.count(event)
                if finished { return }
            }
        }
    }

    /// The running totals of one scan.
    struct Counter {
        let limits: DocumentLimits
        var documents = 0
        var depth = 0
        var nodes = 0

        mutating func count(_ event: yaml_event_t) throws {
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                guard documents <= limits.maxDocuments else {
                    throw limits.exceeded("more than \(limits.maxDocuments) documents", line: line)
                }
            case YAML_ALIAS_EVENT:
                throw ValidationError(field: "", message: "YAML anchors and aliases are not accepted: an alias (*name) at line \(line)")
            case YAML_SCALAR_EVENT:
                try node(anchor: event.data.scalar.anchor, line: line)
                guard event.data.scalar.length <= limits.maxScalarBytes else {
                    throw limits.exceeded("a scalar longer than \(limits.maxScalarBytes / 1024) KiB", line: line)
                }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                try node(anchor: anchor, line: line)
                depth += 1
                guard depth <= limits.maxDepth else {
                    throw limits.exceeded("nesting deeper than \(limits.maxDepth) levels", line: line)
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                depth -= 1
            default:
                break
            }
        }

        mutating func node(anchor: UnsafeMutablePointer<yaml_char_t>?, line: Int) throws {
            guard anchor == nil else {
                throw ValidationError(field: "", message: "YAML anchors and aliases are not accepted: an anchor (&name) at line \(line)")
            }
            nodes += 1
            guard nodes <= limits.maxNodes else { throw limits.exceeded("more than \(limits.maxNodes) nodes", line: line) }
        }
    }
}
