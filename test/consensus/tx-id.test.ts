import { describe, expect, it } from 'vitest'
import { checkBlock, makeBlock, txRootOf, ZERO_HASH } from '../../src/core/block.ts'
import { decode, encode } from '../../src/core/encoding.ts'
import { checkBlockCached, txIdOf } from '../../src/consensus/tx-id.ts'
import { txId } from '../../src/core/transaction.ts'
import { CONTRACT, clientTx } from './fixtures.ts'

describe('transaction IDs in ordering', () => {
  it('checkBlockCached accepts and rejects exactly what core checkBlock does, with the same txRoot', () => {
    for (let n = 0; n < 6; n++) {
      const txs = Array.from({ length: n }, (_, i) => clientTx(i, i % 2 === 0 ? 'call' : 'invoke'))
      const block = makeBlock(CONTRACT, n, ZERO_HASH, txs, 1000 + n, 0)
      const wire = decode(encode(block))
      expect(encode(checkBlockCached(wire))).toEqual(encode(checkBlock(decode(encode(block)))))
      const ids = checkBlockCached(decode(encode(block))).txs.map((e) => txIdOf(e.tx))
      expect(ids).toEqual(txs.map((e) => txId(e.tx)))
      expect(block.header.txRoot).toEqual(txRootOf(txs))
      if (n > 1) {
        const swapped = decode(encode({ ...block, txs: txs.slice().reverse() }))
        expect(() => checkBlock(swapped)).toThrow(expect.objectContaining({ code: 'BAD_SHAPE' }))
        expect(() => checkBlockCached(decode(encode({ ...block, txs: txs.slice().reverse() })))).toThrow(expect.objectContaining({ code: 'BAD_SHAPE' }))
      }
    }
    expect(() => checkBlockCached({ header: 1, txs: [] })).toThrow(expect.objectContaining({ code: 'BAD_SHAPE' }))
  })
})
