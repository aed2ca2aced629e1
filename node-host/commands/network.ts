// `betasco network ...` commands.
import type { Command } from '../cli.ts'

export const networkCommands: Command[] = []
