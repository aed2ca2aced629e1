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
  /** Where a peer can be reached (learnt from the locator); the transport may connect to it. */
  learn? (peerId: string, addrs: string[]): void
  close (): Promise<void>
}

/**
 * Contract location beyond the peers a node knows (paper Algorithm 1 with DHT lookups and the
 * flood fallback): src/network's Locator satisfies it. Without one, a node forwards greedily to
 * the closest peer it knows and forms shards among the nodes it knows.
 */
export interface ContractRouter {
  /** Brings a payload to a member of the contract's shard; resolves with the member's answer. */
  route (contract: string, payload: Uint8Array, opts?: { onStatus?: (code: 'STILL_LOCATING') => void }): Promise<{ hops: number, response: Uint8Array }>
  /** Forms a shard of k members around the contract; resolves with the members. */
  deploy (contract: string, k: number, payload: Uint8Array): Promise<{ members: Array<{ peerId: string, org: string, addrs?: string[] }>, hops: number }>
  /** Receives payloads routed to this node as a member. */
  handle (fn: (d: { contract: string, payload: Uint8Array, hops: number }) => Promise<Uint8Array>): void
  /** Called on every member of a shard the router formed. */
  onDeploy (fn: (contract: string, members: Array<{ peerId: string, org: string }>, payload: Uint8Array) => void): void
}

/** What a router needs to know from the shard layer: which shards this node is a member of. */
export interface MembershipSource {
  isMember (contract: string): boolean
  membersOf (contract: string): Array<{ peerId: string, org: string, addrs: string[] }> | undefined
  record (contract: string, members: Array<{ peerId: string, org: string, addrs: string[] }>): void
}
