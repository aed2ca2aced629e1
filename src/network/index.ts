// betasco network layer: the libp2p node factory, certificate admission, wire framing and the
// Algorithm 1 locator with shard formation. See docs/network.md.
export { createLibp2pNode, protocolPrefix } from './node.ts'
export type { BetascoLibp2p, BetascoServices, Libp2pNodeOptions } from './node.ts'
export { Admission } from './admission.ts'
export type { AdmissionOptions, Rejection } from './admission.ts'
export { frameReader, protocolId, readFrame, writeFrame } from './frames.ts'
export { closestPeers, compareDistance, contractDhtKey, contractKadId, peerKadId, sortByDistance, xor } from './distance.ts'
export { Locator, MemoryMembership, selectMembers } from './locator.ts'
export type { Delivery, DeliveryHandler, DeployResult, LocatorOptions, LocatorStats, Member, MembershipView, RouteResult } from './locator.ts'
export { createNetworkPeer } from './peer.ts'
export type { NetworkPeer, NetworkPeerOptions } from './peer.ts'
