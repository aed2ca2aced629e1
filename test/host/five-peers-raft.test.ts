// Five `betasco start` processes on loopback with a Raft shard (issue 7, "done when").
import { it } from 'vitest'
import { fivePeerFlow } from './five-peers.ts'

it('five peers as processes: deploy and call through different peers, a SIGKILLed member restarts and catches up (Raft)', async () => {
  await fivePeerFlow('raft')
}, 180_000)
