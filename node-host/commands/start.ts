// `betasco start`: a headless peer (DESIGN §7). Composition in node-host/host.ts; this file
// parses options, prints where the peer can be reached and shuts it down on SIGINT/SIGTERM.
import { join, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { BetascoError } from '../../src/core/errors.ts'
import type { Command } from '../cli.ts'
import { loadGenesis, loadIdentity, parseHostPort } from '../config.ts'
import { startHost } from '../host.ts'
import { createLogger, isLogLevel } from '../log.ts'
import { webAppBuilt, webAppDir } from '../web.ts'

function checkMultiaddrs (values: string[], option: string, needPeer: boolean): string[] {
  for (const v of values) {
    try {
      const ma = multiaddr(v)
      if (needPeer && ma.getComponents().every(c => c.name !== 'p2p')) throw new Error('it has no /p2p/PEER_ID part')
    } catch (err) {
      throw new BetascoError('BAD_ARGUMENT', `--${option} "${v}" is not a usable multiaddr: ${(err as Error).message}`)
    }
  }
  return values
}

/** Waits for SIGINT or SIGTERM; a second signal forces the exit. */
function untilSignal (): Promise<string> {
  return new Promise(resolve => {
    const on = (sig: string): void => {
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
      process.once('SIGINT', () => process.exit(130))
      process.once('SIGTERM', () => process.exit(143))
      resolve(sig)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
  })
}

export const startCommands: Command[] = [
  {
    path: ['start'],
    summary: 'run a headless peer: network, shards, HTTP + WebSocket API',
    usage: [
      'betasco start --network DIR --identity FILE [--listen MA...] [--api HOST:PORT] [--data DIR]',
      '              [--bootstrap MA...] [--relay] [--log-level debug|info|warn|error] [--log-format text|json] [--json]',
      '',
      '  --network DIR     the network directory of `betasco network init` (DIR/genesis.json)',
      '  --identity FILE   this peer\'s node identity, e.g. DIR/org1-node1.json',
      '  --listen MA       libp2p listen addresses (default /ip4/127.0.0.1/tcp/0/ws)',
      '  --api HOST:PORT   HTTP + WebSocket API (default 127.0.0.1:8080; port 0 picks a free one)',
      '  --data DIR        LevelDB ledger directory (default DIR/data/IDENTITY-NAME)',
      '  --bootstrap MA    peers to dial at start, with /p2p/PEER_ID (repeatable)',
      '  --relay           also serve as a circuit relay for browser tabs',
      '',
      'Prints the peer ID, listen multiaddrs and API URL (one JSON line with --json), logs to',
      'stderr, and stops cleanly on SIGINT or SIGTERM (exit code 0).'
    ].join('\n'),
    valueOptions: ['network', 'identity', 'api', 'data', 'log-level', 'log-format'],
    repeatable: ['listen', 'bootstrap'],
    run: async (args, io) => {
      const networkDir = args.options.get('network')
      const identityFile = args.options.get('identity')
      if (networkDir === undefined) throw new BetascoError('BAD_ARGUMENT', '--network DIR is required (the directory of `betasco network init`)')
      if (identityFile === undefined) throw new BetascoError('BAD_ARGUMENT', '--identity FILE is required (a node identity, e.g. DIR/org1-node1.json)')
      const level = args.options.get('log-level') ?? 'info'
      if (!isLogLevel(level)) throw new BetascoError('BAD_ARGUMENT', `--log-level must be debug, info, warn or error, got "${level}"`)
      const format = args.options.get('log-format') ?? 'text'
      if (format !== 'text' && format !== 'json') throw new BetascoError('BAD_ARGUMENT', `--log-format must be text or json, got "${format}"`)
      const api = parseHostPort(args.options.get('api') ?? '127.0.0.1:8080')
      const listen = checkMultiaddrs(args.lists.get('listen') ?? ['/ip4/127.0.0.1/tcp/0/ws'], 'listen', false)
      const bootstrap = checkMultiaddrs(args.lists.get('bootstrap') ?? [], 'bootstrap', true)
      const genesis = await loadGenesis(networkDir)
      const identity = await loadIdentity(identityFile, genesis, 'node')
      const dataDir = resolve(args.options.get('data') ?? join(resolve(networkDir), 'data', identity.name))
      const logger = createLogger({ level, json: format === 'json', name: identity.name, write: (line) => io.err(line) })
      const host = await startHost({ genesis, identity, dataDir, listen, api, bootstrap, relay: args.flags.has('relay'), logger, webDir: webAppDir(), ...(args.flags.has('relay') ? { web: { cas: [] } } : {}) })
      const started = { event: 'started', peerId: host.peerId, name: identity.name, org: identity.org, network: host.node.network, multiaddrs: host.multiaddrs(), api: host.apiUrl, data: dataDir, shards: host.node.hostedShards().length, web: webAppBuilt() }
      if (args.flags.has('json')) io.out(JSON.stringify(started))
      else {
        io.out(`peer ${host.peerId} (${identity.name}, ${identity.org})`)
        for (const ma of started.multiaddrs) io.out(`listening ${ma}`)
        io.out(`api ${host.apiUrl}`)
        io.out(started.web ? `web app ${host.apiUrl}/` : 'web app not built (dist/web is missing); the API is up')
      }
      const signal = untilSignal()
      logger.info('peer started', { peer: host.peerId, api: host.apiUrl, data: dataDir, shards: started.shards })
      const off = host.node.on((e) => {
        if (e.type === 'shard') logger.info('hosting shard', { contract: e.shard, consensus: e.config.consensus, members: e.config.members.length })
        else if (e.type === 'block') logger.debug('block', { contract: e.shard, height: e.height, txs: e.txs })
      })
      const offPeers = host.peer.admission.onChange((p: string) => {
        logger.info(host.peer.admission.isAdmitted(p) ? 'peer admitted' : 'peer left', { peer: p, peers: host.node.peers().size })
      })
      const sig = await signal
      logger.info('shutting down', { signal: sig })
      off(); offPeers()
      await host.close()
      logger.info('stopped')
      // anything libp2p left behind must not keep the process alive
      setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref()
      return 0
    }
  }
]
