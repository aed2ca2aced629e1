// Structured logs of a running peer: one line per event on stderr, either `time level msg k=v`
// for people or one JSON object per line (--log-format json) for collectors. Levels filter.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug: (msg: string, fields?: Record<string, unknown>) => void
  info: (msg: string, fields?: Record<string, unknown>) => void
  warn: (msg: string, fields?: Record<string, unknown>) => void
  error: (msg: string, fields?: Record<string, unknown>) => void
}

export function isLogLevel (v: string): v is LogLevel {
  return v in ORDER
}

function value (v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return /[\s"=]/.test(s ?? '') ? JSON.stringify(s) : String(s)
}

export function createLogger (opts: { level?: LogLevel, json?: boolean, write?: (line: string) => void, name?: string } = {}): Logger {
  const min = ORDER[opts.level ?? 'info']
  const write = opts.write ?? ((line: string) => { process.stderr.write(line + '\n') })
  const log = (level: LogLevel) => (msg: string, fields: Record<string, unknown> = {}): void => {
    if (ORDER[level] < min) return
    const time = new Date().toISOString()
    const all = opts.name === undefined ? fields : { node: opts.name, ...fields }
    if (opts.json === true) write(JSON.stringify({ time, level, msg, ...all }))
    else write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${Object.entries(all).map(([k, v]) => ` ${k}=${value(v)}`).join('')}`)
  }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
