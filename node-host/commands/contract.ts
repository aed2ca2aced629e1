// `betasco contract ...` commands.
import type { Command } from '../cli.ts'

export const contractCommands: Command[] = []
