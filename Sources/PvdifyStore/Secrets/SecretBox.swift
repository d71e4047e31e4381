import Crypto
import Foundation

/// Seals secret values with AES-256-GCM. The key comes from `PVDIFY_SECRET_KEY` (base64 of 32
/// bytes) or from `<data-dir>/secret.key` (mode 0600), generated on first start.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    public enum KeyError: Error, CustomStringConvertible {
        case invalidEnvironmentKey
        case invalidKeyFile(String)

        public var description: String {
            switch self {
            case .invalidEnvironmentKey: "PVDIFY_SECRET_KEY must be the base64 encoding of 32 bytes"
            case .invalidKeyFile(let path): "\(path) must hold the base64 encoding of 32 bytes"
            }
        }
    }

    /// Loads the key from `environmentKey` if given, else from (or into) `dataDirectory/secret.key`.
    public static func load(dataDirectory: URL, environmentKey: String?) throws -> SecretBox {
        if let environmentKey {
            guard let data = Data(base64Encoded: environmentKey.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
                throw KeyError.invalidEnvironmentKey
            }
            return SecretBox(key: SymmetricKey(data: data))
        }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = dataDirectory.appendingPathComponent("secret.key")
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
                throw KeyError.invalidKeyFile(file.path)
            }
            return SecretBox(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedString() }
        try PrivateFile.write(encoded + "\n", to: file)
        return SecretBox(key: key)
    }

    public func seal(_ values: [String: String]) throws -> Data {
        let plaintext = try JSONEncoder().encode(values)
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else {
            throw CryptoKitError.incorrectParameterSize
        }
        return combined
    }

    public func open(_ sealed: Data) throws -> [String: String] {
        let plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key)
        return try JSONDecoder().decode([String: String].self, from: plaintext)
    }
}

/// Writes files only their owner may read (keys, tokens).
public enum PrivateFile {
    public static func write(_ text: String, to url: URL) throws {
        let path = url.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        guard Foundation.write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
