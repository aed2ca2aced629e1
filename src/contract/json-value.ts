// JSON-only values at the boundary of a contract: state coming out of an execution, arguments
// and results. A value is copied into fresh plain data while it is checked, without running any
// code of the contract (no getters, no toJSON), so what is stored is exactly what was checked.
import { BetascoError, type ErrorCode } from '../core/errors.ts'
import type { Json } from '../core/shape.ts'
import { CONTRACT_LIMITS } from './limits.ts'

/**
 * Copies `value` as JSON data, or throws `code` naming the offending path. In objects a property
 * holding `undefined` is left out (as JSON.stringify does); everywhere else only null, booleans,
 * finite numbers, strings, dense arrays and plain objects are accepted.
 */
export function copyJson (value: unknown, what: string, code: ErrorCode, size?: { maxBytes: number, code: ErrorCode }, maxDepth: number = CONTRACT_LIMITS.maxJsonDepth): Json {
  const seen = new Set<object>()
  // a lower bound of the JSON size, so a huge value is refused before it is all copied
  let bytes = 0
  const grow = (n: number, path: string): void => {
    bytes += n
    if (size !== undefined && bytes > size.maxBytes) throw new BetascoError(size.code, `${what} is more than ${size.maxBytes} bytes as JSON (at ${path})`)
  }
  const fail = (path: string, why: string): never => {
    throw new BetascoError(code, `${path}: ${why}; only JSON values (null, booleans, finite numbers, strings, arrays, plain objects) are allowed`)
  }
  const walk = (v: unknown, path: string, depth: number): Json => {
    switch (typeof v) {
      case 'string': grow(v.length + 2, path); return v
      case 'boolean': grow(4, path); return v
      case 'number':
        if (!Number.isFinite(v)) fail(path, `${String(v)} is not a JSON number`)
        grow(1, path)
        return Object.is(v, -0) ? 0 : v
      case 'bigint': return fail(path, 'a BigInt')
      case 'symbol': return fail(path, 'a symbol')
      case 'function': return fail(path, 'a function')
      case 'undefined': return fail(path, 'undefined')
    }
    if (v === null) { grow(4, path); return null }
    grow(2, path)
    const o = v as object
    if (depth >= maxDepth) fail(path, `nested deeper than ${maxDepth} levels`)
    if (seen.has(o)) fail(path, 'a cycle (the value contains itself)')
    seen.add(o)
    try {
      if (Array.isArray(o)) {
        const proto = Object.getPrototypeOf(o)
        if (proto !== Array.prototype) fail(path, 'an array of a foreign kind')
        const length = (o as unknown[]).length
        grow(length, path)
        const out: Json[] = []
        for (let i = 0; i < length; i++) {
          const d = Object.getOwnPropertyDescriptor(o, i)
          if (d === undefined) fail(`${path}[${i}]`, 'a hole in an array')
          if (!('value' in d!)) fail(`${path}[${i}]`, 'an accessor (getter/setter)')
          out.push(walk(d!.value, `${path}[${i}]`, depth + 1))
        }
        if (Reflect.ownKeys(o).length !== length + 1) fail(path, 'an array with extra properties')
        return out
      }
      const proto = Object.getPrototypeOf(o)
      if (proto !== Object.prototype && proto !== null) {
        const ctor = proto !== null && typeof proto === 'object' && Object.prototype.hasOwnProperty.call(proto, 'constructor') ? (Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined) : undefined
        const kind = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'non-plain'
        fail(path, `a ${kind} object`)
      }
      if (Object.getOwnPropertySymbols(o).length > 0) fail(path, 'an object with symbol keys')
      const out: Record<string, Json> = {}
      for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(o))) {
        if (!d.enumerable) continue
        if (!('value' in d)) fail(`${path}.${key}`, 'an accessor (getter/setter)')
        if (d.value === undefined) continue
        grow(key.length + 4, path)
        Object.defineProperty(out, key, { value: walk(d.value, `${path}.${key}`, depth + 1), enumerable: true, writable: true, configurable: true })
      }
      return out
    } finally {
      seen.delete(o)
    }
  }
  return walk(value, what, 0)
}

/** The JSON text of a value already copied by `copyJson`, refused above `maxBytes` with `code`. */
export function jsonText (value: Json, what: string, maxBytes: number, code: ErrorCode): string {
  const text = JSON.stringify(value)
  const bytes = utf8Length(text)
  if (bytes > maxBytes) throw new BetascoError(code, `${what} is ${bytes} bytes as JSON, more than the limit of ${maxBytes}`)
  return text
}

function utf8Length (s: string): number {
  // a JSON string from JSON.stringify has no lone surrogates
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++ } else n += 3
  }
  return n
}
