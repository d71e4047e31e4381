/// A secret value as an App manifest carries it under `spec.sealed_secrets`: an age file
/// (ASCII-armored) sealed to the server's recipient, so that it may live in git. The server opens
/// it with its sealing key before the apply and fills in `value`. Neither is ever shown: the
/// description of a sealed secret is a placeholder, so logging a manifest leaks nothing.
public struct SealedSecret: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// The largest armored ciphertext accepted: a value of 32,768 ASCII characters sealed to one
    /// recipient fits with room to spare.
    public static let maxCiphertextBytes = 64 * 1024
    /// The first line of an armored age file.
    public static let armorBeginLine = "-----BEGIN AGE ENCRYPTED FILE-----"

    /// The armored age file, as written in the manifest.
    public let ciphertext: String
    /// The opened value; nil until the server's sealing key has opened it.
    public var value: String?

    /// A ciphertext not opened yet.
    public init(ciphertext: String, value: String? = nil) {
        self.ciphertext = ciphertext
        self.value = value
    }

    /// Never the ciphertext nor the value.
    public var description: String { "[SEALED]" }

    /// No children, so `dump` and reflection show the placeholder only.
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Why `ciphertext` cannot be a sealed value, or nil. Only the form is checked here; whether
    /// it opens is for the holder of the sealing key to say.
    public static func problem(_ ciphertext: String) -> String? {
        guard ciphertext.utf8.count <= maxCiphertextBytes else {
            return "is longer than \(maxCiphertextBytes / 1024) KiB; sealed values are at most 32768 characters"
        }
        // Only ASCII whitespace may come before the armor, as the age format says.
        let asciiWhitespace: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
        guard ciphertext.utf8.drop(while: asciiWhitespace.contains).starts(with: armorBeginLine.utf8) else {
            return "must be an ASCII-armored age file ('\(armorBeginLine)' ...), as `pvdify secrets:seal` or `age -a` write it"
        }
        return nil
    }
}
