// The two hash functions of the product: SHA-256 (IDs, Ed25519 networks) and SM3 (SM2).
export { sha256 } from '@noble/hashes/sha2.js'
export { sm3 } from './sm3.ts'
