import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../node-host/cli.ts'
import { parseGenesis, parseIdentity, verifyCertificate } from '../../src/crypto/index.ts'

const dirs: string[] = []
async function tempDir (): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'betasco-init-'))
  dirs.push(d)
  return d
}
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })

async function run (argv: string[]): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: l => out.push(l), err: l => err.push(l) })
  return { code, out, err }
}

describe('betasco network init', () => {
  for (const scheme of ['ed25519', 'sm2']) {
    it(`writes a genesis and identities that verify (${scheme})`, async () => {
      const dir = join(await tempDir(), 'net')
      const r = await run(['network', 'init', '--orgs', 'org1,org2,org3', '--out', dir, '--scheme', scheme, '--json'])
      expect(r.code).toBe(0)
      const summary = JSON.parse(r.out[0]!)
      const files = (await readdir(dir)).sort()
      expect(files).toEqual([...summary.files].sort())
      for (const org of ['org1', 'org2', 'org3']) {
        for (const f of [`${org}-ca.json`, `${org}-node1.json`, `${org}-node2.json`, `${org}-user1.json`]) expect(files).toContain(f)
      }
      const genesis = parseGenesis(JSON.parse(await readFile(join(dir, 'genesis.json'), 'utf8')))
      expect(genesis.scheme).toBe(scheme)
      for (const f of files.filter(f => /-(node|user)\d+\.json$/.test(f))) {
        const id = await parseIdentity(JSON.parse(await readFile(join(dir, f), 'utf8')), genesis)
        expect(`${id.name}.json`).toBe(f)
        await verifyCertificate(genesis, id.certBytes, { nowMs: Date.now() })
        expect((await stat(join(dir, f))).mode & 0o077).toBe(0) // secret files are private
      }
    })
  }

  it('refuses bad arguments with one clear line and writes nothing', async () => {
    const dir = join(await tempDir(), 'bad')
    for (const argv of [
      ['network', 'init', '--out', dir],
      ['network', 'init', '--orgs', 'org1', '--out', dir, '--scheme', 'rsa'],
      ['network', 'init', '--orgs', 'org 1', '--out', dir],
      ['network', 'init', '--orgs', 'org1,org1', '--out', dir],
      ['network', 'init', '--orgs', 'org1', '--out', dir, '--nodes', '0']
    ]) {
      const r = await run(argv)
      expect(r.code, argv.join(' ')).not.toBe(0)
      expect(r.err.length).toBe(1)
    }
    await expect(readdir(dir).then(f => f.filter(x => x !== '.'))).resolves.not.toContain('genesis.json')
  })

  it('does not overwrite an existing network without --force', async () => {
    const dir = await tempDir()
    expect((await run(['network', 'init', '--orgs', 'org1', '--out', dir])).code).toBe(0)
    const before = await readFile(join(dir, 'genesis.json'), 'utf8')
    const again = await run(['network', 'init', '--orgs', 'org1', '--out', dir])
    expect(again.code).not.toBe(0)
    expect(again.err[0]).toMatch(/already holds a network/)
    expect(await readFile(join(dir, 'genesis.json'), 'utf8')).toBe(before)
    expect((await run(['network', 'init', '--orgs', 'org1', '--out', dir, '--force'])).code).toBe(0)
    expect(await readFile(join(dir, 'genesis.json'), 'utf8')).not.toBe(before)
  })

  it('works through the installed bin (npx betasco)', async () => {
    const dir = join(await tempDir(), 'bin')
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/betasco.js', 'network', 'init', '--orgs', 'a,b', '--out', dir, '--json'])
    expect(JSON.parse(stdout).files).toContain('b-user1.json')
    const help = await promisify(execFile)(process.execPath, ['bin/betasco.js', '--help'])
    expect(help.stdout).toMatch(/network init/)
  })
})
