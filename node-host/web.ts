// Where the built web app lives (vite builds web/ into dist/web); the API serves it at /.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: the nearest directory above this module holding package.json. */
export function packageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node-host'))) return dir
    dir = dirname(dir)
  }
  return process.cwd()
}

export function webAppDir (): string {
  return join(packageRoot(), 'dist', 'web')
}

export function webAppBuilt (): boolean {
  return existsSync(join(webAppDir(), 'index.html'))
}
