// Five `betasco start` processes on loopback with a PBFT shard (issue 7, "done when").
import { it } from 'vitest'
import { fivePeerFlow } from './five-peers.ts'

it('five peers as processes: deploy and call through different peers, a SIGKILLed member restarts and catches up (PBFT)', async () => {
  await fivePeerFlow('pbft')
}, 180_000)
