// The command table of the CLI. Each layer's commands live beside the host code that runs
// them; commands that later work brings are listed only once they exist.
import type { Command } from './cli.ts'

export const commands: Command[] = [
  {
    path: ['demo'],
    summary: 'start a local network with the paper\'s MainService and Logger (not built yet)',
    usage: 'betasco demo [--nodes N] [--shard-size K] [--consensus raft|pbft]',
    valueOptions: ['nodes', 'shard-size', 'consensus'],
    run: async (_args, io) => {
      io.err('betasco demo: not implemented yet: the demo arrives with the node host (issue 7). See README.md for what works today.')
      return 1
    },
  },
]
