// `betasco network ...` commands.
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { BetascoError } from '../../src/core/errors.ts'
import { caToJson, createNetwork, genesisToJson, identityToJson, isSchemeName, networkId } from '../../src/crypto/index.ts'
import type { Command } from '../cli.ts'
import { numberOption, requiredOption } from '../args.ts'

async function writeJson (path: string, value: unknown, secret: boolean): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + '\n', { mode: secret ? 0o600 : 0o644 })
}

export const networkCommands: Command[] = [
  {
    path: ['network', 'init'],
    summary: 'create a network: genesis, one CA per organization, node and user identities',
    usage: [
      'betasco network init --orgs org1,org2,org3 --out DIR [--scheme ed25519|sm2]',
      '                     [--nodes N] [--users N] [--name NAME] [--validity-days D] [--force]',
      '',
      'Writes DIR/genesis.json (public: share it with every member), DIR/ORG-ca.json (the',
      'organization\'s CA secret key: keep it offline), DIR/ORG-nodeI.json and DIR/ORG-userI.json',
      '(secret keys and certificates; node files also hold the libp2p peer key).',
      'Defaults: --scheme ed25519, --nodes 2, --users 1 per organization, --validity-days 365.'
    ].join('\n'),
    valueOptions: ['orgs', 'out', 'scheme', 'nodes', 'users', 'name', 'validity-days'],
    run: async (args, io) => {
      const orgs = requiredOption(args, 'orgs').split(',').map(s => s.trim()).filter(s => s !== '')
      const out = resolve(requiredOption(args, 'out'))
      const scheme = args.options.get('scheme') ?? 'ed25519'
      if (!isSchemeName(scheme)) throw new BetascoError('BAD_ARGUMENT', `--scheme must be ed25519 or sm2, got "${scheme}"`)
      const nodesPerOrg = numberOption(args, 'nodes', 2, 1, 64)
      const usersPerOrg = numberOption(args, 'users', 1, 1, 1000)
      const validityDays = numberOption(args, 'validity-days', 365, 1, 36500)
      const json = args.flags.has('json')
      await mkdir(out, { recursive: true })
      const existing = await readdir(out)
      if (existing.includes('genesis.json') && !args.flags.has('force')) {
        throw new BetascoError('BAD_ARGUMENT', `${out} already holds a network (genesis.json); use another --out or --force to replace it`)
      }
      const total = orgs.length * (nodesPerOrg + usersPerOrg)
      let made = 0
      const material = await createNetwork({
        name: args.options.get('name') ?? 'betasco',
        orgs,
        scheme,
        nodesPerOrg,
        usersPerOrg,
        validityDays,
        nowMs: Date.now(),
        onIdentity: (id) => { made++; if (!json) io.err(`[${made}/${total}] issued ${id.kind} ${id.name}`) }
      })
      const files: string[] = []
      await writeJson(join(out, 'genesis.json'), genesisToJson(material.genesis), false)
      files.push('genesis.json')
      for (const ca of material.cas) {
        await writeJson(join(out, `${ca.org}-ca.json`), caToJson(ca), true)
        files.push(`${ca.org}-ca.json`)
      }
      for (const id of material.identities) {
        await writeJson(join(out, `${id.name}.json`), identityToJson(id), true)
        files.push(`${id.name}.json`)
      }
      const id = networkId(material.genesis)
      if (json) {
        io.out(JSON.stringify({ network: id, scheme, out, orgs, files }))
      } else {
        io.out(`network ${id} (${scheme}, ${orgs.length} organizations) written to ${out}:`)
        for (const f of files) io.out(`  ${f}`)
      }
      return 0
    }
  }
]
