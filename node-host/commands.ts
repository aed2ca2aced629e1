// The command table of the CLI. Each group of commands lives in node-host/commands/; a command
// is listed only once it exists.
import type { Command } from './cli.ts'
import { networkCommands } from './commands/network.ts'
import { contractCommands } from './commands/contract.ts'
import { demoCommands } from './commands/demo.ts'
import { startCommands } from './commands/start.ts'
import { clientCommands } from './commands/client.ts'

export const commands: Command[] = [
  ...networkCommands,
  ...contractCommands,
  ...demoCommands,
  ...startCommands,
  ...clientCommands,
]
