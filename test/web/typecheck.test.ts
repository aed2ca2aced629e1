// web/ is outside the main tsconfig (it needs DOM and Vite typings of its own): type-check it
// with web/tsconfig.json, strict like the rest, as part of the suite.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { REPO } from './host.ts'

it('the web app type-checks (web/tsconfig.json, strict)', async () => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
  const out = await promisify(execFile)(process.execPath, [tsc, '-p', join(REPO, 'web', 'tsconfig.json')], { cwd: REPO, timeout: 110_000 })
    .then(() => '', (err: { stdout?: string }) => err.stdout ?? String(err))
  expect(out).toBe('')
}, 120_000)
