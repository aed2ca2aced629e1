// `betasco demo`: the one-command local network (issue 7). Not built yet, and it says so.
import type { Command } from '../cli.ts'

export const demoCommands: Command[] = [
  {
    path: ['demo'],
    summary: 'start a local network with the paper\'s MainService and Logger (not built yet)',
    usage: 'betasco demo [--nodes N] [--shard-size K] [--consensus raft|pbft]',
    valueOptions: ['nodes', 'shard-size', 'consensus'],
    run: async (_args, io) => {
      io.err('betasco demo: not implemented yet: the demo arrives with the node host. See README.md for what works today.')
      return 1
    },
  },
]
