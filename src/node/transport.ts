// The seam between a node and the network: admitted peers and datagrams to them. libp2p
// provides it in production (src/network); the in-memory hub below serves tests and the
// simulator. Delivery is unordered across peers, best effort, FIFO per peer pair.
import type { VerifiedIdentity } from '../crypto/certificate.ts'

export interface NodeTransport {
  /** This node's peer ID. */
  readonly self: string
  /** Peers admitted by certificate (never includes self). */
  peers (): ReadonlyMap<string, VerifiedIdentity>
  send (to: string, data: Uint8Array): void
  onMessage (handler: (from: string, data: Uint8Array) => void): void
  close (): Promise<void>
}
