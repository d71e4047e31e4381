import Foundation

/// The terminal the CLI talks to: whether it is one, colours, prompts and standard error.
enum Terminal {
    static var stdinIsTTY: Bool { isatty(STDIN_FILENO) != 0 }
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Colour only on a terminal, and never with `NO_COLOR` set or `TERM=dumb`.
    static var useColor: Bool {
        let environment = ProcessInfo.processInfo.environment
        return stdoutIsTTY && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// Prints a line and flushes it at once (standard output is block-buffered when piped).
    static func line(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// Writes to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Prints `prompt` to standard error and reads one line, without echo when `hidden`.
    static func prompt(_ prompt: String, hidden: Bool) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let canHide = hidden && tcgetattr(STDIN_FILENO, &saved) == 0
        if canHide {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if canHide {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        guard let line = readLine(strippingNewline: true) else { throw CLIError("no input") }
        return line
    }

    /// All of standard input, without one trailing newline (as `echo` adds).
    static func readStandardInput() -> String {
        var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// A secret from standard input when it is piped, else from a hidden prompt; never argv.
    static func readSecret(prompt: String) throws -> String {
        let value = stdinIsTTY ? try self.prompt(prompt, hidden: true) : readStandardInput()
        guard !value.isEmpty else { throw CLIError("the value is empty") }
        return value
    }
}

/// ANSI colours, applied only when `enabled`.
struct Painter {
    let enabled: Bool

    static let palette = ["36", "32", "33", "35", "34", "96", "92", "93", "95", "94"]

    func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { paint(text, "1") }
    func red(_ text: String) -> String { paint(text, "31") }
    func green(_ text: String) -> String { paint(text, "32") }
    func cyan(_ text: String) -> String { paint(text, "36") }
    func dim(_ text: String) -> String { paint(text, "2") }

    /// The same colour for a process type every time (`web.1` and `web.2` share `web`'s).
    func process(_ process: String) -> String {
        let type = process.split(separator: ".").first.map(String.init) ?? process
        if type == "api" { return dim(process) }
        let hash = type.utf8.reduce(UInt32(5381)) { ($0 &* 33) &+ UInt32($1) }
        return paint(process, Self.palette[Int(hash % UInt32(Self.palette.count))])
    }
}
