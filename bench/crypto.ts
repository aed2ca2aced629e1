// npm run bench:crypto — sign and verify rates of every scheme and implementation, side by
// side, measured in one run on this machine (timings are noisy: compare the ratios).
// Usage: node bench/crypto.ts [--seconds S] [--json]
import { cpus } from 'node:os'
import smCrypto from 'sm-crypto'
import { ed25519Native, ed25519Noble, hasNativeEd25519, sm2 } from '../src/crypto/index.ts'
import type { SignatureScheme } from '../src/crypto/index.ts'
import { ed25519SignSync, ed25519SyncNoble, ed25519VerifySync } from '../src/crypto/ed25519-sync.ts'

/** A synchronous sign/verify pair as a scheme (for measuring the consensus paths). */
function syncScheme (sign: (m: Uint8Array, sk: Uint8Array) => Uint8Array, verify: (s: Uint8Array, m: Uint8Array, pk: Uint8Array) => boolean): SignatureScheme {
  return { ...ed25519Noble, sign: async (m, sk) => sign(m, sk), verify: async (s, m, pk) => verify(s, m, pk) }
}

const oracle = smCrypto.sm2

const args = process.argv.slice(2)
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 1) || 1
const json = args.includes('--json')
const message = new TextEncoder().encode('a typical transaction body of about a hundred bytes, canonical CBOR, signed once'.padEnd(120, '.'))

interface Row { scheme: string, impl: string, signPerSec: number, verifyPerSec: number }

/** Runs `op` repeatedly for about `budgetMs` (bounded by count too) and returns ops/s. */
async function rate (op: () => unknown | Promise<unknown>, budgetMs: number, maxOps = 1_000_000): Promise<number> {
  await op() // warm-up
  const start = performance.now()
  let n = 0
  while (n < maxOps && performance.now() - start < budgetMs) { await op(); n++ }
  return n / ((performance.now() - start) / 1000)
}

async function measure (impl: string, scheme: SignatureScheme): Promise<Row> {
  const kp = await scheme.generateKeyPair()
  const sig = await scheme.sign(message, kp.secretKey)
  if (!(await scheme.verify(sig, message, kp.publicKey))) throw new Error(`${impl}: self-check failed`)
  const signPerSec = await rate(() => scheme.sign(message, kp.secretKey), seconds * 1000)
  const verifyPerSec = await rate(() => scheme.verify(sig, message, kp.publicKey), seconds * 1000)
  return { scheme: scheme.name, impl, signPerSec, verifyPerSec }
}

async function measureOracle (): Promise<Row> {
  const kp = oracle.generateKeyPairHex()
  const msg = Array.from(message)
  const sig = oracle.doSignature(msg, kp.privateKey, { hash: true, publicKey: kp.publicKey })
  // sm-crypto is slow: a fixed small count keeps this bounded.
  const signPerSec = await rate(() => oracle.doSignature(msg, kp.privateKey, { hash: true, publicKey: kp.publicKey }), seconds * 1000, 200)
  const verifyPerSec = await rate(() => oracle.doVerifySignature(msg, sig, kp.publicKey, { hash: true }), seconds * 1000, 200)
  return { scheme: 'sm2', impl: 'sm-crypto (oracle)', signPerSec, verifyPerSec }
}

const setup = `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${seconds}s per measurement, message ${message.length} bytes, WebCrypto Ed25519: ${await hasNativeEd25519()}`
if (!json) console.error(`bench:crypto — ${setup}`)
const rows: Row[] = []
const plan: Array<[string, () => Promise<Row>]> = [
  ['ed25519 WebCrypto', async () => await measure('WebCrypto (native)', ed25519Native)],
  ['ed25519 noble', async () => await measure('@noble/curves', ed25519Noble)],
  ['ed25519 sync (OpenSSL)', async () => await measure('sync, Node OpenSSL (consensus)', syncScheme(ed25519SignSync, ed25519VerifySync))],
  ['ed25519 sync (noble)', async () => await measure('sync, @noble/curves', syncScheme(ed25519SyncNoble.sign, ed25519SyncNoble.verify))],
  ['sm2 betasco', async () => await measure('betasco (noble arithmetic)', sm2)],
  ['sm2 sm-crypto', measureOracle]
]
for (const [i, [label, run]] of plan.entries()) {
  if (!json) process.stderr.write(`[${i + 1}/${plan.length}] ${label}…\n`)
  if (label === 'ed25519 WebCrypto' && !(await hasNativeEd25519())) continue
  rows.push(await run())
}
const ours = rows.find(r => r.impl.startsWith('betasco'))!
const theirs = rows.find(r => r.impl.startsWith('sm-crypto'))!
const ratio = { sign: ours.signPerSec / theirs.signPerSec, verify: ours.verifyPerSec / theirs.verifyPerSec }
if (json) {
  console.log(JSON.stringify({ setup, rows, sm2SpeedupOverSmCrypto: ratio }))
} else {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9)
  console.log(`${'scheme'.padEnd(8)} ${'implementation'.padEnd(32)} ${'sign/s'.padStart(9)} ${'verify/s'.padStart(9)}`)
  for (const r of rows) console.log(`${r.scheme.padEnd(8)} ${r.impl.padEnd(32)} ${fmt(r.signPerSec)} ${fmt(r.verifyPerSec)}`)
  console.log(`SM2: betasco is ${ratio.sign.toFixed(1)}x sm-crypto at signing and ${ratio.verify.toFixed(1)}x at verifying (target: verify ≥ 10x)`)
}
