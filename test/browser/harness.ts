// Shared browser-test harness: bundle a page with Vite, serve it on 127.0.0.1, and drive Debian's
// Chromium (/usr/bin/chromium, never a downloaded browser) through playwright-core over CDP.
// We spawn Chromium ourselves so that a test owns its PID (crash tests SIGKILL it) and can
// reuse a persistent --user-data-dir across launches; several tabs can open the same page.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core'
import { build } from 'vite'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** The flags every test launch uses (headless, no sandbox in containers, no background traffic). */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
] as const

// ── bundling and serving ─────────────────────────────────────────────────────────────────────

export interface BundledPage {
  /** Directory holding index.html and its assets. */
  dir: string
  cleanup (): Promise<void>
}

/**
 * Bundles the page whose index.html is in `root` (a production build: no dev server, no HMR
 * reloads racing the test) into a fresh temporary directory.
 */
export async function bundlePage (root: string, options: { define?: Record<string, string> } = {}): Promise<BundledPage> {
  const dir = await mkdtemp(join(tmpdir(), 'betasco-page-'))
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    define: options.define ?? {},
    build: { outDir: dir, emptyOutDir: true, target: 'es2023', minify: false, sourcemap: true, reportCompressedSize: false },
  })
  return { dir, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}

export interface StaticServer {
  /** Base URL, e.g. http://127.0.0.1:43117/ */
  url: string
  port: number
  close (): Promise<void>
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png',
}

/**
 * Serves `dir` on 127.0.0.1 (loopback only). `port` 0 picks a free port; pass a port again to
 * keep the same origin (IndexedDB data is per origin, port included) across server restarts.
 */
export async function serveDirectory (dir: string, port = 0): Promise<StaticServer> {
  const base = resolve(dir)
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
        let file = normalize(join(base, path))
        if (file !== base && !file.startsWith(base + sep)) { res.writeHead(403).end(); return }
        if ((await stat(file).catch(() => undefined))?.isDirectory() === true) file = join(file, 'index.html')
        const body = await readFile(file)
        res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body)
      } catch {
        res.writeHead(404).end('not found')
      }
    })()
  })
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(port, '127.0.0.1', () => { ok() })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('static server has no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}/`,
    port: address.port,
    close: async () => { server.closeAllConnections(); await new Promise<void>((ok) => { server.close(() => { ok() }) }) },
  }
}

// ── Chromium ─────────────────────────────────────────────────────────────────────────────────

export interface ChromiumOptions {
  /** A profile directory to keep across launches; default: a fresh one, deleted on close. */
  userDataDir?: string
  extraArgs?: string[]
  /** Bound on start-up (default 30 s). */
  launchTimeoutMs?: number
}

export interface ChromiumInstance {
  /** PID of the browser process we spawned (the leader of its own process group). */
  readonly pid: number
  readonly browser: Browser
  /** The profile's default context: pages here share IndexedDB with later launches. */
  readonly context: BrowserContext
  readonly userDataDir: string
  /** Opens a new tab at `url` and waits for its load event. */
  newPage (url: string, options?: { onConsole?: (msg: ConsoleMessage) => void }): Promise<Page>
  /**
   * SIGKILLs the browser's whole process group at once (a crash: nothing is flushed, no process
   * outlives the browser to finish its work) and resolves once no process of the group is alive.
   */
  kill (): Promise<void>
  /** Closes the browser gracefully (bounded; SIGKILL after 10 s) and deletes a temporary profile. */
  close (): Promise<void>
}

export async function launchChromium (options: ChromiumOptions = {}): Promise<ChromiumInstance> {
  const ownProfile = options.userDataDir === undefined
  const userDataDir = options.userDataDir ?? await mkdtemp(join(tmpdir(), 'betasco-chromium-'))
  // Chromium's own temporary files (org.chromium.Chromium.*) go here, so that a killed browser,
  // which cannot clean up after itself, leaves nothing behind in the system's temp directory.
  const scratch = await mkdtemp(join(tmpdir(), 'betasco-chromium-tmp-'))
  const child = spawn(CHROMIUM_PATH, [
    ...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0',
    ...(options.extraArgs ?? []), 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, TMPDIR: scratch } })
  const cleanUp = async (): Promise<void> => {
    await rm(scratch, { recursive: true, force: true })
    if (ownProfile) await rm(userDataDir, { recursive: true, force: true })
  }
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${CHROMIUM_PATH}`)
  const exited = new Promise<void>((ok) => { child.once('exit', () => { ok() }) })
  let endpoint: string
  try {
    endpoint = await devToolsEndpoint(child, options.launchTimeoutMs ?? 30_000)
  } catch (err) {
    killGroup(pid)
    await exited
    await cleanUp()
    throw err
  }
  const browser = await chromium.connectOverCDP(endpoint, { timeout: options.launchTimeoutMs ?? 30_000 })
  const context = browser.contexts()[0]
  if (context === undefined) throw new Error('Chromium has no default context')
  let ended = false

  return {
    pid,
    browser,
    context,
    userDataDir,
    async newPage (url, pageOptions = {}) {
      const page = await context.newPage()
      if (pageOptions.onConsole !== undefined) page.on('console', pageOptions.onConsole)
      await page.goto(url, { waitUntil: 'load', timeout: 30_000 })
      return page
    },
    async kill () {
      if (ended) return
      ended = true
      killGroup(pid) // the browser, its renderers, zygotes and utility processes, by our group ID
      await exited
      // A killed process in uninterruptible sleep (an fsync under load) dies only when the call
      // returns; until then it may still hold the profile's files, so a relaunch waits for all.
      await groupGone(pid, 15_000)
      await rm(scratch, { recursive: true, force: true })
    },
    async close () {
      if (ended) return
      ended = true
      const timer = setTimeout(() => { killGroup(pid) }, 10_000)
      try {
        await browser.close().catch(() => undefined)
        try { process.kill(pid, 'SIGTERM') } catch { /* already gone */ }
        await exited
      } finally {
        clearTimeout(timer)
        killGroup(pid)
        await groupGone(pid, 15_000)
        await cleanUp()
      }
    },
  }
}

function killGroup (pid: number): void {
  try { process.kill(-pid, 'SIGKILL') } catch { /* group already gone */ }
}

/** Live (not zombie) processes whose process group is `pgid`, read from /proc. */
async function groupMembers (pgid: number): Promise<number[]> {
  const live: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') live.push(Number(entry))
  }
  return live
}

async function groupGone (pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const live = await groupMembers(pgid)
    if (live.length === 0) return
    if (Date.now() > deadline) throw new Error(`Chromium processes ${live.join(', ')} of group ${pgid} still alive ${timeoutMs} ms after SIGKILL`)
    killGroup(pgid)
    await new Promise((ok) => setTimeout(ok, 20))
  }
}

/** Reads "DevTools listening on ws://…" from Chromium's stderr, bounded in time. */
async function devToolsEndpoint (child: ChildProcess, timeoutMs: number): Promise<string> {
  return await new Promise<string>((ok, fail) => {
    let seen = ''
    const timer = setTimeout(() => { done(new Error(`Chromium did not report a DevTools endpoint within ${timeoutMs} ms; stderr: ${seen.slice(-2000)}`)) }, timeoutMs)
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-20_000)
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen)
      if (match !== null) done(undefined, match[1])
    }
    const onExit = (code: number | null, signal: string | null): void => {
      done(new Error(`Chromium exited (code ${code}, signal ${signal}) before it was ready; stderr: ${seen.slice(-2000)}`))
    }
    function done (err?: Error, url?: string): void {
      clearTimeout(timer)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
      child.stderr?.resume() // keep draining so Chromium never blocks on a full pipe
      if (err !== undefined) fail(err)
      else ok(url!)
    }
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
}

// ── one call for the common case ─────────────────────────────────────────────────────────────

export interface BrowserHarness {
  server: StaticServer
  chromium: ChromiumInstance
  /** Opens another tab on the served page. */
  openTab (path?: string, options?: { onConsole?: (msg: ConsoleMessage) => void }): Promise<Page>
  close (): Promise<void>
}

/** Bundles `root`, serves it and launches Chromium with a fresh profile. */
export async function startBrowserHarness (root: string, options: ChromiumOptions & { define?: Record<string, string> } = {}): Promise<BrowserHarness> {
  const page = await bundlePage(root, options.define === undefined ? {} : { define: options.define })
  const server = await serveDirectory(page.dir)
  let instance: ChromiumInstance
  try {
    instance = await launchChromium(options)
  } catch (err) {
    await server.close()
    await page.cleanup()
    throw err
  }
  return {
    server,
    chromium: instance,
    openTab: async (path = '', tabOptions) => await instance.newPage(new URL(path, server.url).href, tabOptions),
    close: async () => {
      await instance.close()
      await server.close()
      await page.cleanup()
    },
  }
}
