// The CLI run straight from the TypeScript sources (`node node-host/main.ts ...` on Node 24);
// bin/betasco.js runs the same code compiled to dist/.
import { main } from './cli.ts'

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`betasco: ${(err as Error)?.message ?? String(err)}\n`)
    process.exitCode = 1
  },
)
