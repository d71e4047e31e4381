import Crypto

/// The age payload: a 16-byte nonce, then the plaintext in 64 KiB chunks, each sealed with
/// ChaCha20-Poly1305 under a key derived from the file key and that nonce (the STREAM construction).
enum AgeStream {
    static let nonceLength = 16
    static let chunkLength = 64 * 1024
    static let tagLength = 16

    /// Encrypts `plaintext` under `fileKey` with a new random payload nonce.
    static func seal(_ plaintext: [UInt8], fileKey: [UInt8]) throws -> [UInt8] {
        let payloadNonce = AgeFileKey.randomBytes(nonceLength)
        let key = AgeFileKey.derive(fileKey, salt: payloadNonce, info: "payload")
        var output = payloadNonce
        var start = 0
        var counter: UInt64 = 0
        repeat {
            let end = min(start + chunkLength, plaintext.count)
            let isFinal = end == plaintext.count
            let box = try ChaChaPoly.seal(
                plaintext[start..<end], using: key, nonce: try chunkNonce(counter: counter, isFinal: isFinal))
            output += box.ciphertext + box.tag
            start = end
            counter += 1
        } while start < plaintext.count
        return output
    }

    /// Decrypts a payload; every way it can be cut, extended or changed is an error.
    static func open(_ payload: ArraySlice<UInt8>, fileKey: [UInt8]) throws(AgeError) -> [UInt8] {
        guard payload.count >= nonceLength + tagLength else { throw .truncatedPayload }
        let key = AgeFileKey.derive(fileKey, salt: Array(payload.prefix(nonceLength)), info: "payload")
        let chunks = payload.dropFirst(nonceLength)
        let sealedChunkLength = chunkLength + tagLength
        let chunkCount = (chunks.count + sealedChunkLength - 1) / sealedChunkLength
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(chunks.count)
        for index in 0..<chunkCount {
            let start = chunks.startIndex + index * sealedChunkLength
            let chunk = chunks[start..<min(start + sealedChunkLength, chunks.endIndex)]
            let counter = UInt64(index)
            let isFinal = index == chunkCount - 1
            if let opened = openChunk(chunk, key: key, counter: counter, isFinal: isFinal) {
                if isFinal, opened.isEmpty, index > 0 { throw .emptyFinalChunk }
                plaintext += opened
                continue
            }
            // Tell a cut or an extended file from a changed one: the chunk opens with the other flag.
            if openChunk(chunk, key: key, counter: counter, isFinal: !isFinal) != nil {
                throw isFinal ? .truncatedPayload : .trailingData
            }
            throw chunk.count < tagLength ? .truncatedPayload : .payloadAuthenticationFailed
        }
        return plaintext
    }

    private static func openChunk(
        _ chunk: ArraySlice<UInt8>, key: SymmetricKey, counter: UInt64, isFinal: Bool
    ) -> [UInt8]? {
        guard chunk.count >= tagLength,
              let nonce = try? chunkNonce(counter: counter, isFinal: isFinal),
              let box = try? ChaChaPoly.SealedBox(
                  nonce: nonce,
                  ciphertext: chunk.dropLast(tagLength), tag: chunk.suffix(tagLength)),
              let opened = try? ChaChaPoly.open(box, using: key)
        else { return nil }
        return [UInt8](opened)
    }

    /// The chunk nonce: an 11-byte big-endian counter, then 1 for the final chunk, else 0.
    private static func chunkNonce(counter: UInt64, isFinal: Bool) throws -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 3)
        withUnsafeBytes(of: counter.bigEndian) { bytes += $0 }
        bytes.append(isFinal ? 1 : 0)
        return try ChaChaPoly.Nonce(data: bytes)
    }
}
