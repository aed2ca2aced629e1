import { describe, expect, it } from 'vitest'
import {
  BetascoError, checkBlock, checkLink, contractIdFor, decodeCheckpoint, decodeCommittedBlock,
  decodeEnvelope, decodeReceipt, decodeShardConfig, encode, encodeCheckpoint, encodeCommittedBlock,
  encodeEnvelope, encodeReceipt, encodeShardConfig, faultTolerance, makeBlock, matchingResultsNeeded,
  blockHash, ZERO_HASH, txId, type Envelope, type Receipt, type ShardConfig, type TxBody, LIMITS,
} from '../../src/core/index.ts'
import { sampleTx } from './fixtures.ts'

const HEX = (c: string): string => c.repeat(64)

function envelope (tx: TxBody): Envelope {
  return { tx, proofs: [{ cert: new Uint8Array([1, 2, 3]), sig: new Uint8Array(64) }] }
}

describe('transactions', () => {
  it('round-trips an envelope and keeps its ID', () => {
    const env = envelope(sampleTx())
    const back = decodeEnvelope(encodeEnvelope(env))
    expect(back).toEqual(env)
    expect(txId(back.tx)).toBe(txId(env.tx))
  })

  it('gives different IDs to different nonces and the same ID to the same body', () => {
    expect(txId(sampleTx())).toBe(txId(sampleTx()))
    expect(txId(sampleTx({ nonce: 'n-2' }))).not.toBe(txId(sampleTx()))
  })

  it('refuses unknown fields, wrong kinds and bad IDs with BAD_SHAPE', () => {
    const cases: unknown[] = [
      { ...sampleTx(), extra: 1 },
      { ...sampleTx(), kind: 'steal' },
      { ...sampleTx(), contract: 'xyz' },
      { ...sampleTx(), method: 'not a name' },
      { ...sampleTx(), v: 2 },
    ]
    for (const tx of cases) {
      expect(() => decodeEnvelope(encode({ tx, proofs: [] }))).toThrow(expect.objectContaining({ code: 'BAD_SHAPE' }))
    }
  })

  it('requires deploy specs exactly on deploy transactions and origins on contract-issued ones', () => {
    expect(() => decodeEnvelope(encode({ tx: sampleTx({ kind: 'deploy' }), proofs: [] }))).toThrowError(/deploy/)
    expect(() => decodeEnvelope(encode({ tx: sampleTx({ kind: 'call' }), proofs: [] }))).toThrowError(/origin/)
    const deploy = sampleTx({ kind: 'deploy', deploy: { code: 'contract A {}', shardSize: 4, consensus: 'raft', gasLimit: 1e6, checkpointInterval: 16 } })
    expect(decodeEnvelope(encodeEnvelope(envelope(deploy))).tx.deploy?.shardSize).toBe(4)
  })

  it('refuses oversized transactions before decoding them', () => {
    const big = new Uint8Array(LIMITS.maxTxBytes + 1)
    expect(() => decodeEnvelope(big)).toThrow(expect.objectContaining({ code: 'TX_TOO_LARGE' }))
    const hugeArg = sampleTx({ arg: 'x'.repeat(LIMITS.maxArgBytes + 10) })
    expect(() => decodeEnvelope(encode(envelope(hugeArg)))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }))
  })

  it('binds contract IDs to network, deployer, nonce and code', () => {
    const id = contractIdFor(HEX('a'), HEX('c'), '1', 'code')
    expect(id).toMatch(/^[0-9a-f]{64}$/)
    expect(contractIdFor(HEX('a'), HEX('c'), '2', 'code')).not.toBe(id)
    expect(contractIdFor(HEX('a'), HEX('c'), '1', 'code2')).not.toBe(id)
  })
})

describe('blocks', () => {
  it('links blocks by header hash and checks the link', () => {
    const g = makeBlock(HEX('b'), 0, ZERO_HASH, [envelope(sampleTx())], 1000, 0)
    const b1 = makeBlock(HEX('b'), 1, blockHash(g.header), [envelope(sampleTx({ nonce: 'x' }))], 1001, 0)
    expect(() => checkLink(g.header, b1.header)).not.toThrow()
    const forged = makeBlock(HEX('b'), 1, ZERO_HASH, [], 1001, 0)
    expect(() => checkLink(g.header, forged.header)).toThrowError(BetascoError)
  })

  it('round-trips a committed block with its certificate outside the hash', () => {
    const block = makeBlock(HEX('b'), 3, new Uint8Array(32).fill(7), [envelope(sampleTx())], 5, 1)
    const cb = { block, cert: { term: 2, leader: 'p' } }
    const back = decodeCommittedBlock(encodeCommittedBlock(cb))
    expect(back).toEqual(cb)
    expect(blockHash(back.block.header)).toEqual(blockHash(block.header))
  })

  it('refuses a block whose txRoot does not match its transactions', () => {
    const block = makeBlock(HEX('b'), 3, new Uint8Array(32), [envelope(sampleTx())], 5, 1)
    block.txs.push(envelope(sampleTx({ nonce: 'smuggled' })))
    expect(() => checkBlock(block)).toThrowError(/txRoot/)
  })
})

describe('receipts, checkpoints and shard configurations', () => {
  const receipt: Receipt = {
    v: 1, txId: HEX('d'), shard: HEX('b'), height: 4, index: 0, status: 'committed', result: 3, error: null, gasUsed: 17, calls: [],
  }
  const config: ShardConfig = {
    v: 1, contract: HEX('b'), version: 0, fromHeight: 0, consensus: 'pbft', shardSize: 4,
    members: ['p1', 'p2', 'p3', 'p4'].map((peerId, i) => ({ peerId, org: `org${i % 2}` })),
    gasLimit: 1e6, checkpointInterval: 16, codeHash: new Uint8Array(32),
  }

  it('round-trips each record', () => {
    expect(decodeReceipt(encodeReceipt(receipt))).toEqual(receipt)
    const cp = { v: 1 as const, shard: HEX('b'), height: 16, blockHash: new Uint8Array(32), stateDigest: new Uint8Array(32).fill(1) }
    expect(decodeCheckpoint(encodeCheckpoint(cp))).toEqual(cp)
    expect(decodeShardConfig(encodeShardConfig(config))).toEqual(config)
  })

  it('requires an error exactly on failed receipts', () => {
    expect(() => decodeReceipt(encode({ ...receipt, status: 'failed' }))).toThrowError(/error/)
    expect(() => decodeReceipt(encode({ ...receipt, error: { code: 'X', message: 'y' } }))).toThrowError(/error/)
  })

  it('refuses duplicate and empty memberships', () => {
    expect(() => decodeShardConfig(encode({ ...config, members: [] }))).toThrowError(/at least one/)
    expect(() => decodeShardConfig(encode({ ...config, members: [config.members[0], config.members[0]] }))).toThrowError(/duplicate/)
  })

  it('needs f + 1 matching results for PBFT and one for Raft', () => {
    expect(faultTolerance(config)).toBe(1)
    expect(matchingResultsNeeded(config)).toBe(2)
    expect(matchingResultsNeeded({ ...config, consensus: 'raft' })).toBe(1)
    expect(matchingResultsNeeded({ ...config, members: [...config.members, ...['p5', 'p6', 'p7'].map((peerId) => ({ peerId, org: 'o' }))] })).toBe(3)
  })
})
