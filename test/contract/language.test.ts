// The contract language: the paper's form and ES modules become one compiled form; syntax errors
// name the user's own line and column; what a contract may not use is refused with a clear error.
import { describe, expect, it } from 'vitest'
import { BetascoError } from '../../src/core/errors.ts'
import { compileContract } from '../../src/contract/compile.ts'
import { locate, parseContract } from '../../src/contract/language.ts'
import { example } from './helpers.ts'

function failure (source: string, file = 'c.js'): BetascoError {
  try {
    compileContract(source, file)
  } catch (err) {
    if (err instanceof BetascoError) return err
    throw err
  }
  throw new Error('expected the contract to be refused')
}

/** `FILE:LINE:COL` of the first occurrence of `needle` (1-based line and column). */
function at (source: string, needle: string, file = 'c.js'): string {
  const i = source.indexOf(needle)
  if (i < 0) throw new Error(`no ${needle}`)
  const { line, column } = locate(source, i)
  return `${file}:${line}:${column}`
}

describe('the paper form', () => {
  it('compiles MainService and Logger from Figure 10', () => {
    const main = compileContract(example('MainService.js'), 'MainService.js')
    expect(main.name).toBe('MainService')
    expect(main.form).toBe('contract')
    expect(Object.keys(main.exports)).toEqual(['call', 'get', 'registerLogger'])
    expect(main.functions).toEqual(['onCreate', 'call', 'get', 'registerLogger', 'onError'])
    const logger = compileContract(example('Logger.js'), 'Logger.js')
    expect(logger.name).toBe('Logger')
    expect(Object.keys(logger.exports)).toEqual(['log', 'analyze'])
    // onCreate() { } is the method shorthand
    expect(logger.functions).toContain('onCreate')
  })

  it('accepts method shorthand after function declarations, constants and on one line', () => {
    const c = compileContract('contract X { const K = 3\n a() { return K } function b() {} c(x) { return x } export function d() { return a() } }', 'x.js')
    expect(c.functions).toEqual(['a', 'b', 'c', 'd', 'onError'])
    expect(c.exports).toEqual({ d: 'd' })
  })

  it('accepts exported method shorthand', () => {
    const c = compileContract('contract X {\n  export get(arg) { return 1 }\n  export function put(v) {}\n}', 'x.js')
    expect(c.exports).toEqual({ get: 'get', put: 'put' })
  })

  it('keeps an onError the contract declares, and adds an empty one otherwise', () => {
    expect(compileContract(example('Counter.js'), 'Counter.js').functions.filter((f) => f === 'onError')).toHaveLength(1)
    expect(compileContract('contract Y { export function f() {} }').functions).toContain('onError')
  })

  it('reports a syntax error at the user\'s line and column, after shorthand methods on the same line', () => {
    const source = 'contract X {\n  a() { return 1 } b() { return 2 } c() { return 1 +; }\n}\n'
    const err = failure(source)
    expect(err.code).toBe('CONTRACT_SYNTAX')
    expect(err.message).toBe(`${at(source, ';')} Unexpected token`)
  })

  it('reports an unterminated string at its position', () => {
    const source = 'contract X {\n\n  export function f() { return "abc }\n}\n'
    const err = failure(source)
    expect(err.code).toBe('CONTRACT_SYNTAX')
    expect(err.message.startsWith(at(source, '"abc'))).toBe(true)
    expect(err.message).toMatch(/Unterminated string/)
  })

  it('refuses an unclosed contract and content after it', () => {
    const open = failure('contract X {\n  function f() {}\n')
    expect(open.code).toBe('CONTRACT_SYNTAX')
    expect(open.message).toMatch(/^c\.js:3:1 contract X is not closed/)
    const after = 'contract X { }\nfunction g() {}\n'
    expect(failure(after).message).toBe(`${at(after, 'function g')} unexpected content after the contract body: a file holds one contract`)
  })
})

describe('plain ES modules', () => {
  it('compiles exported functions and export lists', () => {
    const c = compileContract('function onCreate() { Global.x = 1 }\nfunction inc(n) { return n + 1 }\nexport function get() { return Global.x }\nexport { inc as increment }\n', 'mod.js')
    expect(c.form).toBe('module')
    expect(c.name).toBe('mod')
    expect(c.exports).toEqual({ get: 'get', increment: 'inc' })
  })

  it('reports syntax errors with line and column', () => {
    const source = 'export function f() {\n  let x = ;\n}\n'
    expect(failure(source, 'm.js').message).toBe(`${at(source, ';', 'm.js')} Unexpected token`)
  })
})

describe('refusals', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['import x from "y"\nexport function f() {}', 'import x', /imports are not allowed/],
    ['export { a } from "./b.js"', 'export', /re-exports/],
    ['export * from "./b.js"', 'export', /re-exports/],
    ['export default function () {}', 'export', /export default is not supported/],
    ['export function f() { return import("fs") }', 'import(', /dynamic import\(\) is not allowed/],
    ['export function f() { return import.meta }', 'import.meta', /import\.meta/],
    ['export async function f() {}', 'async', /async functions are not allowed/],
    ['export function f() { return { async m() {} } }', '() {} }', /async functions are not allowed/],
    ['await 1\nexport function f() {}', 'await', /await is not allowed/],
    ['let counter = 0\nexport function f() {}', 'let', /hidden state/],
    ['const cache = {}\nexport function f() {}', 'cache', /literal/],
    ['Global.x = 1', 'Global', /only function declarations/],
    ['export function f() { const __betasco_enter = 1 }', '__betasco_enter', /reserved/],
    ['export function f() { try {} catch (__betasco_e) {} }', '__betasco_e', /reserved/],
    ['export const x = 1', 'export', /only functions can be exported/],
    ['export { nothing }', 'nothing', /not defined|not a top-level function/],
    ['export function f() { for await (const x of y) {} }', 'await', /.+/],
  ]
  for (const [source, needle, message] of cases) {
    it(`refuses ${JSON.stringify(source)}`, () => {
      const err = failure(source)
      expect(['CONTRACT_INVALID', 'CONTRACT_SYNTAX']).toContain(err.code)
      expect(err.message).toMatch(message)
      expect(err.message.startsWith(at(source, needle) + ' ')).toBe(true)
    })
  }

  it('refuses source over the size limit with TOO_LARGE', () => {
    expect(failure('export function f() {}\n' + '//'.padEnd(200 * 1024, 'x')).code).toBe('TOO_LARGE')
  })

  it('refuses deeply nested code without crashing', () => {
    const err = failure(`export function f() { return ${'['.repeat(60000)}${']'.repeat(60000)} }`)
    expect(err.code).toBe('CONTRACT_SYNTAX')
  })
})

describe('the compiled program', () => {
  it('meters function entry, loop back-edges, catch and finally', () => {
    const c = compileContract('export function f(a) { for (;;) {} while (a) a--; do {} while (a); for (const k in a) {} for (const v of a) {} try { g() } catch { } finally { } }\nfunction g() { return () => 1 }')
    const p = c.program
    expect(p.match(/__betasco_enter\(\)/g)).toHaveLength(3) // f, g and the arrow
    expect(p.match(/__betasco_loop\(\)/g)).toHaveLength(5)
    expect(p).toMatch(/catch \(__betasco_e\) \{\s*__betasco_caught\(__betasco_e\)/)
    expect(p).toMatch(/finally \{\s*__betasco_finally\(\)/)
  })

  it('hashes the user\'s source, not the compiled form', () => {
    const a = compileContract('export function f() {}')
    const b = compileContract('export function f() {}\n')
    expect(a.codeHash).toMatch(/^[0-9a-f]{64}$/)
    expect(a.codeHash).not.toBe(b.codeHash)
    expect(a.program).toBe(b.program)
  })

  it('parses both forms into the same functions', () => {
    const paper = parseContract('contract C { onCreate() { Global.n = 0 } export function inc() { return ++Global.n } }')
    const mod = parseContract('function onCreate() { Global.n = 0 }\nexport function inc() { return ++Global.n }')
    expect(paper.functions.map((f) => f.id.name)).toEqual(mod.functions.map((f) => f.id.name))
    expect([...paper.exports]).toEqual([...mod.exports])
  })
})
