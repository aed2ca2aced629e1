// Signing of protocol messages that end up in certificates (PBFT commits and checkpoints, Raft
// and solo block seals), so third parties can check them. The node plugs in Ed25519/SM2 from
// src/crypto; the simulator and benchmarks use the keyed-hash signer below.
import { concatBytes, equalBytes, utf8 } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'

export interface Signer {
  /** The member ID (peer ID) this signer signs as. */
  readonly id: string
  sign (message: Uint8Array): Uint8Array
}

export interface Verifier {
  /** True when `signature` over `message` was made by member `id`. */
  verify (id: string, message: Uint8Array, signature: Uint8Array): boolean
}

/**
 * A fast deterministic signer for simulation: sig = SHA-256(secret(id) ‖ message). A node holds
 * only its own Signer, so a Byzantine node cannot sign as another; the shared Verifier knows
 * every secret, which is acceptable only inside one simulated process.
 */
export function keyedHashSigners (ids: readonly string[], seed: number): { signers: Map<string, Signer>, verifier: Verifier } {
  const secrets = new Map<string, Uint8Array>()
  for (const id of ids) secrets.set(id, sha256(utf8.encode(`betasco-sim-key/${seed}/${id}`)))
  const sig = (secret: Uint8Array, message: Uint8Array): Uint8Array => sha256(concatBytes(secret, message))
  const signers = new Map<string, Signer>()
  for (const [id, secret] of secrets) signers.set(id, { id, sign: (m) => sig(secret, m) })
  const verifier: Verifier = {
    verify (id, message, signature) {
      const secret = secrets.get(id)
      return secret !== undefined && signature.length === 32 && equalBytes(sig(secret, message), signature)
    },
  }
  return { signers, verifier }
}
