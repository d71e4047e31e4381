import Crypto

/// The 128-bit key each age file is encrypted with, and the keys derived from it.
enum AgeFileKey {
    /// File keys are 16 bytes.
    static let length = 16

    /// A new file key from the system's secure random generator.
    static func generate() -> [UInt8] {
        randomBytes(length)
    }

    /// `count` bytes from the system's secure random generator.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// HKDF-SHA-256 of the file key with the given salt and info, 32 bytes.
    static func derive(_ fileKey: [UInt8], salt: [UInt8], info: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: fileKey), salt: salt, info: Array(info.utf8), outputByteCount: 32)
    }
}
