// The CLI commands of the node host, in process: help, JSON output, exit codes and one-line
// errors for every misconfiguration of `betasco start`; deploy/call/tx/status against a peer.
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerHost } from '../../node-host/host.ts'
import { cli, makeNetwork, startTestHost, type TestNetwork } from './helpers.ts'

const COUNTER = fileURLToPath(new URL('../../examples/contracts/Counter.js', import.meta.url))

describe('betasco CLI of the node host', () => {
  let net: TestNetwork
  let other: TestNetwork
  let host: PeerHost
  let api: string

  beforeAll(async () => {
    net = await makeNetwork('org1,org2', 1)
    other = await makeNetwork('org1,org2', 1)
    host = await startTestHost(net, 'org1-node1')
    api = host.apiUrl!
  }, 60_000)

  afterAll(async () => {
    await host?.close()
    await net?.remove()
    await other?.remove()
  })

  for (const command of ['start', 'deploy', 'call', 'tx', 'status', 'demo']) {
    it(`betasco ${command} --help prints its usage and exits 0`, async () => {
      const r = await cli([command, '--help'])
      expect(r.code).toBe(0)
      expect(r.out.join('\n')).toContain(`Usage: betasco ${command}`)
    })
  }

  describe('betasco start refuses a misconfiguration with one clear line', () => {
    const cases: Array<[string, () => string[], RegExp]> = [
      ['no --identity', () => ['--network', net.dir], /--identity FILE is required/],
      ['a missing identity file', () => ['--network', net.dir, '--identity', join(net.dir, 'nobody.json')], /identity .*nobody\.json does not exist/],
      ['a missing genesis', () => ['--network', join(net.dir, 'nowhere'), '--identity', net.file('org1-node1')], /genesis .*does not exist/],
      ['an identity of another network (wrong genesis)', () => ['--network', other.dir, '--identity', net.file('org1-node1')], /WRONG_NETWORK: identity .* belongs to another network/],
      ['a user identity', () => ['--network', net.dir, '--identity', net.file('org1-user1')], /is a user identity; this needs a node identity/],
      ['a bad --api', () => ['--network', net.dir, '--identity', net.file('org2-node1'), '--api', 'localhost:99999'], /--api must be HOST:PORT/],
      ['a bad --listen', () => ['--network', net.dir, '--identity', net.file('org2-node1'), '--listen', 'not-a-multiaddr'], /--listen "not-a-multiaddr" is not a usable multiaddr/],
      ['a --bootstrap without a peer ID', () => ['--network', net.dir, '--identity', net.file('org2-node1'), '--bootstrap', '/ip4/127.0.0.1/tcp/1/ws'], /no \/p2p\/PEER_ID part/],
      ['a bad --log-level', () => ['--network', net.dir, '--identity', net.file('org2-node1'), '--log-level', 'loud'], /--log-level must be/],
    ]
    for (const [what, argv, message] of cases) {
      it(`refuses ${what}`, async () => {
        const r = await cli(['start', ...argv()])
        expect(r.code).not.toBe(0)
        expect(r.err).toHaveLength(1)
        expect(r.err[0]).toMatch(/^betasco start: /)
        expect(r.err[0]).toMatch(message)
        expect(r.out).toEqual([])
      })
    }

    it('refuses an API port in use, and releases everything it opened', async () => {
      const blocker = createServer()
      await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
      const port = (blocker.address() as { port: number }).port
      try {
        const dataDir = join(net.dir, 'data-busy')
        const r = await cli(['start', '--network', net.dir, '--identity', net.file('org2-node1'), '--api', `127.0.0.1:${port}`, '--data', dataDir])
        expect(r.code).toBe(1)
        expect(r.err).toEqual([expect.stringMatching(/--api 127\.0\.0\.1:\d+ is in use by another process/)])
        // the ledger was closed again: a second start may open it (and fails only on the port)
        const again = await cli(['start', '--network', net.dir, '--identity', net.file('org2-node1'), '--api', `127.0.0.1:${port}`, '--data', dataDir])
        expect(again.err).toEqual([expect.stringMatching(/is in use by another process/)])
        expect(again.err[0]).not.toMatch(/data directory/)
      } finally {
        blocker.close()
      }
    })
    it('refuses a data directory held by a running peer', async () => {
      const dataDir = join(net.dir, 'data-held')
      const holder = await startTestHost(net, 'org2-node1', { dataDir })
      try {
        const r = await cli(['start', '--network', net.dir, '--identity', net.file('org2-node1'), '--api', '127.0.0.1:0', '--data', dataDir])
        expect(r.code).toBe(1)
        expect(r.err).toEqual([`betasco start: BAD_ARGUMENT: data directory ${dataDir} is in use by another running peer`])
      } finally {
        await holder.close()
      }
    })
  })

  describe('deploy, call, tx and status against a peer', () => {
    let contract: string
    let lastTx: string
    const user = (): string[] => ['--api', api, '--identity', net.file('org1-user1')]

    it('betasco deploy --json deploys and prints the contract ID', async () => {
      const r = await cli(['deploy', COUNTER, '--shard-size', '1', '--consensus', 'solo', ...user(), '--json'])
      expect(r.code, r.err.join('\n')).toBe(0)
      const out = JSON.parse(r.out[0]!)
      expect(out.status).toBe('committed')
      expect(out.contract).toMatch(/^[0-9a-f]{64}$/)
      contract = out.contract
    })

    it('betasco deploy reports a syntax error as FILE:LINE:COL and sends nothing', async () => {
      const broken = join(net.dir, 'Broken.js')
      await writeFile(broken, 'contract Broken {\n  export function f(arg) { return arg + ; }\n}\n')
      const received = host.node.counters.received
      const r = await cli(['deploy', broken, '--shard-size', '1', '--consensus', 'solo', ...user()])
      expect(r.code).toBe(1)
      expect(r.err).toEqual([expect.stringMatching(/Broken\.js:2:\d+/)])
      expect(host.node.counters.received).toBe(received)
    })

    it('betasco call prints the result; ARG is JSON', async () => {
      const one = await cli(['call', contract, 'call', ...user()])
      expect(one.code).toBe(0)
      expect(one.out).toEqual(['1'])
      const added = await cli(['call', contract, 'add', '41', ...user(), '--json'])
      expect(added.code).toBe(0)
      const out = JSON.parse(added.out[0]!)
      expect(out.result).toBe(42)
      lastTx = out.txId
    })

    it('betasco call exits 1 with one line when the contract throws', async () => {
      const r = await cli(['call', contract, 'add', '"x"', ...user()])
      expect(r.code).toBe(1)
      expect(r.err).toEqual([expect.stringMatching(/^transaction [0-9a-f]{64} failed: CONTRACT_THROW: .*add: expected an integer/)])
    })

    it('betasco tx shows a receipt', async () => {
      const r = await cli(['tx', lastTx, '--api', api])
      expect(r.code).toBe(0)
      expect(r.out[0]).toBe(`tx ${lastTx}: committed`)
      expect(r.out.join('\n')).toContain('result 42')
      const j = await cli(['tx', lastTx, '--api', api, '--json'])
      expect(JSON.parse(j.out[0]!)).toMatchObject({ txId: lastTx, contract, status: 'committed', result: 42 })
    })

    it('betasco status lists the hosted shard', async () => {
      const r = await cli(['status', '--api', api])
      expect(r.code).toBe(0)
      expect(r.out[0]).toContain(`peer ${host.peerId}`)
      expect(r.out.join('\n')).toContain(contract)
      const j = await cli(['status', '--api', api, '--json'])
      expect(JSON.parse(j.out[0]!).shards[0].contract).toBe(contract)
    })

    it('a command without a signing identity, or with an unknown tx, fails with a coded line', async () => {
      const noId = await cli(['call', contract, 'call', '--api', api])
      expect(noId.code).toBe(1)
      expect(noId.err).toEqual([expect.stringMatching(/--identity FILE is required/)])
      const unknown = await cli(['tx', '00'.repeat(32), '--api', api, '--json'])
      expect(unknown.code).toBe(1)
      expect(JSON.parse(unknown.err[0]!).error.code).toBe('NOT_FOUND')
    })

    it('an unreachable API is one UNREACHABLE line and exit code 1', async () => {
      const r = await cli(['status', '--api', 'http://127.0.0.1:1'])
      expect(r.code).toBe(1)
      expect(r.err).toEqual([expect.stringMatching(/^betasco status: UNREACHABLE: cannot reach the node API/)])
    })
  })
})
