import { describe, expect, it } from 'vitest'
import { encode } from '../../src/core/encoding.ts'
import { createOrderer, verifyCommittedBlock } from '../../src/consensus/shard-orderer.ts'
import { keyedHashSigners } from '../../src/consensus/signer.ts'
import { Cluster, clientTx, configTx, FAST, shardConfig } from './fixtures.ts'

describe('solo orderer (k = 1)', () => {
  it('cuts hash-linked blocks with a verifiable seal, priority lane first', () => {
    const c = new Cluster(shardConfig('solo', ['a']))
    c.submit('a', clientTx(1))
    c.submit('a', clientTx(2))
    c.submit('a', clientTx(3, 'call'))
    expect(c.height('a')).toBe(-1) // nothing before a tick (batch not full)
    c.round()
    expect(c.height('a')).toBe(0)
    const b0 = c.member('a').blocks[0]!
    expect(b0.block.txs.map((e) => e.tx.nonce)).toEqual(['n-3', 'n-1', 'n-2'])
    expect(verifyCommittedBlock(shardConfig('solo', ['a']), c.verifier, b0)).toBe(true)
    c.submit('a', clientTx(4))
    c.round()
    c.assertAgreement()
    expect(c.committedTxIds('a')).toEqual(['n-3', 'n-1', 'n-2', 'n-4'])
    expect(c.orderer('a').status()).toMatchObject({ kind: 'solo', height: 1, leader: 'a', member: true, pendingTxs: 0 })
  })

  it('cuts at once when a full batch is waiting, and splits large backlogs into several blocks', () => {
    const c = new Cluster(shardConfig('solo', ['a']))
    for (let i = 0; i < 20; i++) c.submit('a', clientTx(i))
    expect(c.height('a')).toBeGreaterThanOrEqual(1) // 8 per block: two full batches cut without a tick
    c.round()
    expect(c.committedTxIds('a')).toHaveLength(20)
    expect(c.member('a').blocks.every((cb) => cb.block.txs.length <= FAST.maxTxsPerBlock!)).toBe(true)
  })

  it('commits a resubmitted transaction only once', () => {
    const c = new Cluster(shardConfig('solo', ['a']))
    c.submit('a', clientTx(1))
    c.submit('a', clientTx(1))
    c.round()
    c.submit('a', clientTx(1))
    c.round()
    expect(c.committedTxIds('a')).toEqual(['n-1'])
  })

  it('refuses submissions at a non-member and when the pool is full, with coded notices', () => {
    const { signers, verifier } = keyedHashSigners(['a', 'z'], 1)
    const outsider = createOrderer(shardConfig('solo', ['a']), { signer: signers.get('z')!, verifier, seed: 1 })
    outsider.step({ type: 'submit', tx: clientTx(1) })
    expect(outsider.ready().notices).toEqual([expect.objectContaining({ type: 'refused', code: 'NOT_MEMBER' })])
    expect(outsider.status().member).toBe(false)

    const small = createOrderer(shardConfig('solo', ['a']), { signer: signers.get('a')!, verifier, seed: 1, params: { ...FAST, maxPoolTxs: 2, maxTxsPerBlock: 100 } })
    for (let i = 0; i < 3; i++) small.step({ type: 'submit', tx: clientTx(i) })
    const r = small.ready()
    expect(r.notices).toEqual([expect.objectContaining({ type: 'refused', code: 'QUEUE_FULL' })])
    expect(small.status().pendingTxs).toBe(2)
  })

  it('drops malformed messages with a counted notice and changes nothing', () => {
    const c = new Cluster(shardConfig('solo', ['a']))
    c.submit('a', clientTx(1))
    c.round()
    const before = c.orderer('a').status()
    for (const data of [new Uint8Array([0xff, 0x00]), encode({ e: 0 }), encode({ e: 0, m: [1] }), encode({ e: 0, m: { t: 'blocks', b: 5 } })]) {
      c.step('a', { type: 'message', from: 'x', data })
    }
    const after = c.orderer('a').status()
    expect(after.counters.malformed).toBe(before.counters.malformed + 4)
    expect(after.height).toBe(before.height)
    expect(c.member('a').notices.filter((n) => n.type === 'dropped')).toHaveLength(4)
  })

  it('restarts from its persisted blocks at the same height and keeps de-duplicating', () => {
    const c = new Cluster(shardConfig('solo', ['a']))
    for (let i = 0; i < 5; i++) c.submit('a', clientTx(i))
    c.round()
    const h = c.height('a')
    c.crash('a')
    c.restart('a')
    expect(c.orderer('a').status().height).toBe(h)
    c.submit('a', clientTx(0))
    c.submit('a', clientTx(9))
    c.round()
    c.assertAgreement()
    expect(c.committedTxIds('a')).toEqual(['n-0', 'n-1', 'n-2', 'n-3', 'n-4', 'n-9'])
  })

  it('ends the epoch at a config block; an invalid change (adding a member to solo) only advances the version', () => {
    const c = new Cluster(shardConfig('solo', ['a']))
    c.submit('a', clientTx(1))
    c.submit('a', configTx(1, 'addMember', { peerId: 'b', org: 'org1' })) // invalid for solo: version advances, members unchanged
    c.submit('a', clientTx(2))
    c.round()
    c.round()
    const cfg = c.orderer('a').config()
    expect(cfg.version).toBe(1)
    expect(cfg.members.map((m) => m.peerId)).toEqual(['a'])
    const blocks = c.member('a').blocks
    expect(blocks[0]!.block.txs.at(-1)!.tx.kind).toBe('config')
    expect(blocks[1]!.block.header.configVersion).toBe(1)
    expect(c.committedTxIds('a')).toEqual(['n-1', 'cfg-1', 'n-2'])
  })
})
