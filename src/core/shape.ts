// Shape checks for decoded input. Every decoder runs these before anything else trusts a
// value: exact key sets, types, ranges and lengths, with a BAD_SHAPE error naming the field.
import { BetascoError } from './errors.ts'
import type { Canonical } from './encoding.ts'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function fail (path: string, what: string): never {
  throw new BetascoError('BAD_SHAPE', `${path}: ${what}`)
}

export function record (v: unknown, path: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) fail(path, 'expected a map')
  const obj = v as Record<string, unknown>
  for (const key of required) if (!(key in obj)) fail(path, `missing field "${key}"`)
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key)) fail(path, `unexpected field "${key}"`)
  }
  return obj
}

export function str (v: unknown, path: string, maxLength: number, pattern?: RegExp): string {
  if (typeof v !== 'string') fail(path, 'expected a string')
  if (v.length > maxLength) fail(path, `longer than ${maxLength} characters`)
  if (pattern !== undefined && !pattern.test(v)) fail(path, `does not match ${pattern}`)
  return v
}

export function int (v: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(path, 'expected an integer')
  if (v < min || v > max) fail(path, `out of range [${min}, ${max}]`)
  return v
}

export function bytes (v: unknown, path: string, minLength: number, maxLength = minLength): Uint8Array {
  if (!(v instanceof Uint8Array)) fail(path, 'expected bytes')
  if (v.length < minLength || v.length > maxLength) {
    fail(path, minLength === maxLength ? `expected ${minLength} bytes` : `expected ${minLength}..${maxLength} bytes`)
  }
  return v
}

export function oneOf<T extends string> (v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) fail(path, `expected one of ${options.join(', ')}`)
  return v as T
}

export function list<T> (v: unknown, path: string, maxItems: number, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v)) fail(path, 'expected a list')
  if (v.length > maxItems) fail(path, `more than ${maxItems} items`)
  return v.map((x, i) => item(x, `${path}[${i}]`))
}

export function bool (v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected a boolean')
  return v
}

/** A JSON value (no byte strings) within a nesting depth; contract arguments and results. */
export function json (v: unknown, path: string, depth = 0): Json {
  if (depth > 32) fail(path, 'nested deeper than 32 levels')
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(path, 'non-finite number')
    return v
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => json(x, `${path}[${i}]`, depth + 1))
    return v as Json
  }
  if (typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v as object)) json(x, `${path}.${k}`, depth + 1)
    return v as Json
  }
  fail(path, 'expected a JSON value')
}

export type { Canonical }
