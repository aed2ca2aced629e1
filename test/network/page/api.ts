// What the network test page exposes to the Node test (as globalThis.__net).
export interface NetPageApi {
  /** Starts a dial-only peer with WebRTC, connects to the relay and waits for admission. */
  start (genesisJson: unknown, identityJson: unknown, relayAddr: string): Promise<{ peerId: string }>
  /** Waits (bounded) until the tab has a /p2p-circuit/webrtc address and returns it. */
  webrtcAddr (): Promise<string>
  /** Makes this tab the only member of a contract; deliveries answer "tab:<hops>". */
  becomeMember (contract: string): void
  route (contract: string): Promise<{ deliveredBy: string, hops: number, path: string[], response: string }>
  admitted (): string[]
  connections (): Array<{ peer: string, addr: string, limited: boolean }>
  stop (): Promise<void>
}
