// The signature-scheme contract shared by Ed25519 and SM2 (DESIGN §7). Async because the
// Ed25519 path goes through WebCrypto; SM2 answers synchronously underneath.

export interface KeyPair {
  secretKey: Uint8Array
  publicKey: Uint8Array
}

export type SchemeName = 'ed25519' | 'sm2'
export const SCHEME_NAMES: readonly SchemeName[] = ['ed25519', 'sm2']

export interface SignatureScheme {
  readonly name: SchemeName
  readonly publicKeyLength: number
  readonly signatureLength: number
  generateKeyPair (): Promise<KeyPair>
  publicKeyOf (secretKey: Uint8Array): Promise<Uint8Array>
  sign (message: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array>
  /** False for any bad signature, key or message; never throws on malformed input. */
  verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>
}
