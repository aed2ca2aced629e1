// Checkpoints (paper §2.4): every C blocks members agree, through consensus, on a digest of the
// contract state at a height. A stable checkpoint lets members prune and new members start.
import { BetascoError } from './errors.ts'
import { decode, encode } from './encoding.ts'
import { bytes, int, record, str } from './shape.ts'
import { HEX32 } from './transaction.ts'

export interface Checkpoint {
  v: 1
  shard: string
  height: number
  blockHash: Uint8Array
  stateDigest: Uint8Array
}

export function checkCheckpoint (v: unknown, path = 'checkpoint'): Checkpoint {
  const o = record(v, path, ['v', 'shard', 'height', 'blockHash', 'stateDigest'])
  if (o.v !== 1) throw new BetascoError('BAD_SHAPE', `${path}.v: unsupported version ${String(o.v)}`)
  return {
    v: 1,
    shard: str(o.shard, `${path}.shard`, 64, HEX32),
    height: int(o.height, `${path}.height`),
    blockHash: bytes(o.blockHash, `${path}.blockHash`, 32),
    stateDigest: bytes(o.stateDigest, `${path}.stateDigest`, 32),
  }
}

export function encodeCheckpoint (c: Checkpoint): Uint8Array { return encode(c) }
export function decodeCheckpoint (data: Uint8Array): Checkpoint { return checkCheckpoint(decode(data, 4096)) }
