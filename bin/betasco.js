#!/usr/bin/env node
// The `betasco` command. The TypeScript sources are compiled to dist/ by `npm install`
// (the `prepare` script); this file only hands over to the compiled CLI.
import { main } from '../dist/node-host/cli.js'

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err) => {
    process.stderr.write(`betasco: ${err?.message ?? err}\n`)
    process.exitCode = 1
  },
)
