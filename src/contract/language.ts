// The contract language (DESIGN §7, paper §3.2): the paper's `contract Name { ... }` form and
// plain ES modules with exported functions, both parsed by acorn into one checked program.
// Everything a contract may not do that can be seen statically is refused here, with the
// user's own line and column; what cannot be seen statically is the sandbox's job.
import { parse, tokenizer as acornTokenizer, tokTypes, type Program, type Token as AcornToken } from 'acorn'
import { BetascoError } from '../core/errors.ts'
import { CONTRACT_LIMITS, RESERVED_PREFIX } from './limits.ts'

/** An ESTree node as acorn builds it; the checks read fields by node type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AstNode = { type: string, start: number, end: number, [key: string]: any }

export interface ParsedContract {
  /** `contract Name` of the paper's form, else the name the caller suggested. */
  name: string
  form: 'contract' | 'module'
  /** Top-level function declarations, in source order. */
  functions: AstNode[]
  /** Top-level `const NAME = <primitive literal>` declarations. */
  constants: AstNode[]
  /** exported name → local function name */
  exports: Map<string, string>
}

const METHOD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const ACORN_OPTIONS = { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: false } as const

/** acorn's tokens carry their value, which its typings leave out. */
type Token = AcornToken & { value?: unknown }
const tokenizer = (text: string, options: typeof ACORN_OPTIONS): Iterable<Token> => acornTokenizer(text, options) as Iterable<Token>

/** `FILE:LINE:COL` of an offset in the user's source (line and column 1-based). */
export function locate (source: string, offset: number): { line: number, column: number } {
  let line = 1
  let lineStart = 0
  const re = /\r\n?|\n|\u2028|\u2029/g
  for (let m = re.exec(source); m !== null && m.index < offset; m = re.exec(source)) {
    line++
    lineStart = m.index + m[0].length
  }
  return { line, column: offset - lineStart + 1 }
}

/** What the paper's form became as a module, and how to map positions back. */
interface Rewritten {
  text: string
  name: string | null
  /** Original offsets where `function ` was inserted (method shorthand), ascending. */
  insertions: number[]
}

const INSERTED = 'function '

function toOriginal (rw: Rewritten, pos: number): number {
  let shift = 0
  for (const at of rw.insertions) {
    const genStart = at + shift
    if (pos < genStart) break
    if (pos < genStart + INSERTED.length) return at
    shift += INSERTED.length
  }
  return pos - shift
}

class LocatedError extends Error {
  readonly pos: number
  constructor (pos: number, message: string) {
    super(message)
    this.pos = pos
  }
}

function acornMessage (err: unknown): { pos: number, message: string } | null {
  if (err instanceof SyntaxError && typeof (err as { pos?: unknown }).pos === 'number') {
    return { pos: (err as unknown as { pos: number }).pos, message: err.message.replace(/ \(\d+:\d+\)$/, '') }
  }
  return null
}

/**
 * The paper's form is not JavaScript: `contract Name { ... }` wraps the functions and methods
 * may be written in shorthand (`onCreate() {}`). Rewrite it into a module by blanking the
 * wrapper (same length, so lines and columns stay) and inserting `function ` before each
 * shorthand method (remembered, so positions map back).
 */
function rewritePaperForm (source: string): Rewritten {
  const tokens: Token[] = []
  for (const t of tokenizer(source, ACORN_OPTIONS)) tokens.push(t)
  const [t0, t1, t2] = tokens
  if (t0 === undefined || t1 === undefined || t2 === undefined ||
    t0.type !== tokTypes.name || t0.value !== 'contract' || t1.type !== tokTypes.name || t2.type !== tokTypes.braceL) {
    return { text: source, name: null, insertions: [] }
  }
  let depth = 0
  let close = -1
  for (let i = 2; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.type === tokTypes.braceL || t.type === tokTypes.dollarBraceL) depth++
    else if (t.type === tokTypes.braceR) {
      depth--
      if (depth === 0) { close = i; break }
    }
  }
  if (close === -1) throw new LocatedError(source.length, `contract ${String(t1.value)} is not closed: missing "}"`)
  const after = tokens[close + 1]
  if (after !== undefined && after.type !== tokTypes.eof) {
    throw new LocatedError(after.start, 'unexpected content after the contract body: a file holds one contract')
  }
  const insertions: number[] = []
  depth = 1
  let prev: Token = t2
  let prevDepthAfter = 1
  for (let i = 3; i < close; i++) {
    const t = tokens[i]!
    const next = tokens[i + 1]
    if (depth === 1 && t.type === tokTypes.name && next?.type === tokTypes.parenL && prevDepthAfter === 1 && startsItem(source, prev, t)) {
      insertions.push(t.start)
    }
    if (t.type === tokTypes.braceL || t.type === tokTypes.dollarBraceL) depth++
    else if (t.type === tokTypes.braceR) depth--
    prev = t
    prevDepthAfter = depth
  }
  const blank = (s: string): string => s.replace(/[^\r\n\u2028\u2029]/g, ' ')
  let text = ''
  let cursor = 0
  const emit = (upTo: number): void => { text += source.slice(cursor, upTo); cursor = upTo }
  emit(t0.start)
  text += blank(source.slice(t0.start, t2.end))
  cursor = t2.end
  for (const at of insertions) { emit(at); text += INSERTED }
  const closeTok = tokens[close]!
  emit(closeTok.start)
  text += ' '
  cursor = closeTok.end
  emit(source.length)
  return { text, name: String(t1.value), insertions }
}

/** Whether token `t` begins a new member of the contract body, given the token before it. */
function startsItem (source: string, prev: Token, t: Token): boolean {
  // `export name() {}` is the exported shorthand
  if (prev.type === tokTypes.braceL || prev.type === tokTypes.braceR || prev.type === tokTypes.semi || prev.type === tokTypes._export) return true
  // a constant ended without a semicolon (automatic semicolon insertion needs a line break)
  const lineBreak = /[\r\n\u2028\u2029]/.test(source.slice(prev.end, t.start))
  return lineBreak && [tokTypes.num, tokTypes.string, tokTypes.name, tokTypes._true, tokTypes._false, tokTypes._null, tokTypes.template, tokTypes.backQuote].includes(prev.type)
}

/** Visits every node of a tree, parents first, without recursion (deep trees are legal input). */
export function eachNode (root: AstNode, visit: (node: AstNode) => void): void {
  const stack: AstNode[] = [root]
  while (stack.length > 0) {
    const node = stack.pop()!
    visit(node)
    const children: AstNode[] = []
    for (const key of Object.keys(node)) {
      const v: unknown = node[key]
      if (Array.isArray(v)) {
        for (const x of v) if (isNode(x)) children.push(x)
      } else if (isNode(v)) children.push(v)
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!)
  }
}

function isNode (v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string'
}

function isPrimitiveLiteral (n: AstNode | null | undefined): boolean {
  if (n === null || n === undefined) return false
  if (n.type === 'Literal') return n.regex === undefined && n.bigint === undefined
  if (n.type === 'UnaryExpression') return (n.operator === '-' || n.operator === '+') && n.argument.type === 'Literal' && typeof n.argument.value === 'number'
  if (n.type === 'TemplateLiteral') return n.expressions.length === 0
  return false
}

/**
 * Parses and checks a contract. Throws CONTRACT_SYNTAX (not JavaScript) or CONTRACT_INVALID
 * (JavaScript a contract may not use), with a message `FILE:LINE:COL message`.
 */
export function parseContract (source: string, file = 'contract.js', defaultName = 'Contract'): ParsedContract {
  if (typeof source !== 'string') throw new BetascoError('BAD_ARGUMENT', 'contract source must be a string')
  const bytes = new TextEncoder().encode(source).length
  if (bytes > CONTRACT_LIMITS.maxCodeBytes) {
    throw new BetascoError('TOO_LARGE', `${file}: contract source is ${bytes} bytes, more than the limit of ${CONTRACT_LIMITS.maxCodeBytes}`)
  }
  const at = (origPos: number, message: string): string => {
    const { line, column } = locate(source, origPos)
    return `${file}:${line}:${column} ${message}`
  }
  let rw: Rewritten
  try {
    rw = rewritePaperForm(source)
  } catch (err) {
    if (err instanceof LocatedError) throw new BetascoError('CONTRACT_SYNTAX', at(err.pos, err.message))
    const m = acornMessage(err)
    if (m !== null) throw new BetascoError('CONTRACT_SYNTAX', at(m.pos, m.message))
    if (err instanceof RangeError) throw new BetascoError('CONTRACT_SYNTAX', at(0, 'code is nested too deeply to parse'))
    throw err
  }
  let program: Program
  try {
    program = parse(rw.text, ACORN_OPTIONS)
  } catch (err) {
    const m = acornMessage(err)
    if (m !== null) throw new BetascoError('CONTRACT_SYNTAX', at(toOriginal(rw, m.pos), m.message))
    if (err instanceof RangeError) throw new BetascoError('CONTRACT_SYNTAX', at(0, 'code is nested too deeply to parse'))
    throw err
  }
  const refuse = (node: { start: number }, message: string): never => {
    throw new BetascoError('CONTRACT_INVALID', at(toOriginal(rw, node.start), message))
  }

  for (const t of tokenizer(rw.text, ACORN_OPTIONS)) {
    if (t.type === tokTypes.name && String(t.value).startsWith(RESERVED_PREFIX)) refuse(t, `names starting with ${RESERVED_PREFIX} are reserved for the runtime`)
  }
  eachNode(program as unknown as AstNode, (node) => {
    switch (node.type) {
      case 'ImportExpression': refuse(node, 'dynamic import() is not allowed in a contract'); break
      case 'MetaProperty': if (node.meta.name === 'import') refuse(node, 'import.meta is not available in a contract'); break
      case 'WithStatement': refuse(node, '"with" is not allowed in a contract'); break
      case 'AwaitExpression': refuse(node, 'await is not allowed: contract functions are synchronous'); break
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
        if (node.async === true) refuse(node, 'async functions are not allowed: contract functions are synchronous and their effects must end with the call')
        break
      case 'ForOfStatement':
        if (node.await === true) refuse(node, 'for await is not allowed: contract functions are synchronous')
        break
    }
  })

  const functions: AstNode[] = []
  const constants: AstNode[] = []
  const exportSpecs: Array<{ exported: string, local: string, node: AstNode }> = []
  for (const raw of program.body) {
    const node = raw as unknown as AstNode
    switch (node.type) {
      case 'EmptyStatement':
        break
      case 'ExpressionStatement':
        if (node.directive !== 'use strict') refuse(node, 'only function declarations may appear at the top level of a contract (state lives in Global)')
        break
      case 'FunctionDeclaration':
        functions.push(node)
        break
      case 'VariableDeclaration':
        if (node.kind !== 'const') refuse(node, `top-level "${String(node.kind)}" would be hidden state: keep state in Global, or use const with a literal value`)
        for (const d of node.declarations as AstNode[]) {
          if (d.id.type !== 'Identifier' || !isPrimitiveLiteral(d.init)) refuse(d, 'a top-level constant must be a number, string, boolean or null literal (objects would be hidden mutable state)')
        }
        constants.push(node)
        break
      case 'ExportNamedDeclaration':
        if (node.source !== null && node.source !== undefined) refuse(node, 're-exports (export ... from) are not allowed: a contract is one file')
        if (node.declaration !== null && node.declaration !== undefined) {
          if (node.declaration.type !== 'FunctionDeclaration') refuse(node, 'only functions can be exported')
          functions.push(node.declaration)
          exportSpecs.push({ exported: node.declaration.id.name, local: node.declaration.id.name, node })
        } else {
          for (const s of node.specifiers as AstNode[]) {
            const exported = s.exported.type === 'Identifier' ? s.exported.name : String(s.exported.value)
            exportSpecs.push({ exported, local: s.local.name, node: s })
          }
        }
        break
      case 'ExportDefaultDeclaration':
        refuse(node, 'export default is not supported: export named functions (export function name(arg) { ... })')
        break
      case 'ExportAllDeclaration':
        refuse(node, 're-exports (export * from) are not allowed: a contract is one file')
        break
      case 'ImportDeclaration':
        refuse(node, 'imports are not allowed: a contract is one file and reaches other contracts with executeContract()')
        break
      default:
        refuse(node, 'only function declarations may appear at the top level of a contract (state lives in Global)')
    }
  }

  const declared = new Map<string, AstNode>()
  for (const f of functions) {
    const name = f.id.name as string
    if (!METHOD_NAME.test(name) || name.length > CONTRACT_LIMITS.maxMethodLength) refuse(f, `function name "${name}" must be an ASCII identifier of at most ${CONTRACT_LIMITS.maxMethodLength} characters`)
    declared.set(name, f)
  }
  const exports = new Map<string, string>()
  for (const { exported, local, node } of exportSpecs) {
    if (!declared.has(local)) refuse(node, `"${local}" is exported but is not a top-level function`)
    if (!METHOD_NAME.test(exported) || exported.length > CONTRACT_LIMITS.maxMethodLength) refuse(node, `exported name "${exported}" must be an ASCII identifier of at most ${CONTRACT_LIMITS.maxMethodLength} characters`)
    if (exports.has(exported)) refuse(node, `"${exported}" is exported twice`)
    exports.set(exported, local)
  }
  if (functions.length > CONTRACT_LIMITS.maxFunctions) refuse(program, `a contract has at most ${CONTRACT_LIMITS.maxFunctions} top-level functions`)

  const name = rw.name ?? defaultName
  return { name, form: rw.name === null ? 'module' : 'contract', functions, constants, exports }
}
