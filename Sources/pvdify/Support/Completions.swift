import ArgumentParser
import Foundation

/// Shell completion scripts (`pvdify --generate-completion-script bash|zsh|fish`). ArgumentParser
/// writes them; for bash one wrapper is added, because bash splits words at the `:` of
/// `apps:create` (zsh and fish handle the colon themselves).
enum Completions {
    /// The bash script when the arguments ask for it, else nil (ArgumentParser answers the rest).
    static func bashScript(for arguments: [String]) -> String? {
        let shell: String?
        switch arguments.count {
        case 1 where arguments[0] == "--generate-completion-script":
            shell = ProcessInfo.processInfo.environment["SHELL"].map { URL(fileURLWithPath: $0).lastPathComponent }
        case 1 where arguments[0].hasPrefix("--generate-completion-script="):
            shell = String(arguments[0].dropFirst("--generate-completion-script=".count))
        case 2 where arguments[0] == "--generate-completion-script":
            shell = arguments[1]
        default:
            shell = nil
        }
        guard shell == "bash" else { return nil }
        return Pvdify.completionScript(for: .bash) + colonWrapper
    }

    static let colonWrapper = #"""

        # pvdify's commands contain ':' (apps:create) and bash splits words at ':' (COMP_WORDBREAKS), so
        # this wrapper rejoins the words at whitespace before the completion above runs, and trims the
        # part before the last ':' from the candidates (bash keeps that part of the word).
        _pvdify_colon_words() {
            local -r line="${COMP_LINE:0:${COMP_POINT}}"
            local -a words
            read -r -a words <<< "${line}"
            if [[ "${line}" =~ [[:space:]]$ || ${#words[@]} -eq 0 ]]; then words+=(''); fi
            local -r current="${words[${#words[@]}-1]}"
            local previous=''
            if [[ ${#words[@]} -gt 1 ]]; then previous="${words[${#words[@]}-2]}"; fi
            COMP_WORDS=("${words[@]}")
            COMP_CWORD=$((${#words[@]} - 1))
            _pvdify "${1}" "${current}" "${previous}"
            if [[ "${current}" == *:* && "${COMP_WORDBREAKS}" == *:* ]]; then
                local -r prefix="${current%"${current##*:}"}"
                COMPREPLY=("${COMPREPLY[@]#"${prefix}"}")
            fi
        }
        complete -o filenames -F _pvdify_colon_words pvdify

        """#
}
