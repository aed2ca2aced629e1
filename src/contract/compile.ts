// Compiles a parsed contract into the program its compartment evaluates: every function and
// loop is metered (gas at function entry and loop back-edges, a bound on call depth), and every
// catch and finally first asks the meter whether it was exhausted, so a contract cannot swallow
// its own out-of-gas with try/catch. The meter is passed in as parameters of the program, never
// reachable from the contract's global object.
import { generate } from 'astring'
import { toHex } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'
import { eachNode, parseContract, type AstNode, type ParsedContract } from './language.ts'
import { RESERVED_PREFIX } from './limits.ts'

/** The compiled form: plain data, so it can be sent to a worker or stored. */
export interface CompiledContract {
  name: string
  form: 'contract' | 'module'
  /** Hex SHA-256 of the source text the user wrote. */
  codeHash: string
  /** Evaluates to `(meter) => [[name, fn], ...]`. */
  program: string
  /** Names of all top-level functions (onError included: there is always one). */
  functions: string[]
  /** exported name → function name; only these can be invoked by transactions. */
  exports: Record<string, string>
}

const ENTER = `${RESERVED_PREFIX}_enter`
const LEAVE = `${RESERVED_PREFIX}_leave`
const LOOP = `${RESERVED_PREFIX}_loop`
const CAUGHT = `${RESERVED_PREFIX}_caught`
const FINALLY = `${RESERVED_PREFIX}_finally`
const ERR = `${RESERVED_PREFIX}_e`
/** Parameter order of the program; the sandbox passes its meter functions in this order. */
export const METER_PARAMS = [ENTER, LEAVE, LOOP, CAUGHT, FINALLY] as const

const id = (name: string): AstNode => ({ type: 'Identifier', name, start: 0, end: 0 })
const call = (name: string, args: AstNode[] = []): AstNode => ({
  type: 'ExpressionStatement', start: 0, end: 0,
  expression: { type: 'CallExpression', start: 0, end: 0, callee: id(name), arguments: args, optional: false },
})
const block = (body: AstNode[]): AstNode => ({ type: 'BlockStatement', start: 0, end: 0, body })

function asBlock (stmt: AstNode): AstNode {
  return stmt.type === 'BlockStatement' ? stmt : block([stmt])
}

/** Rewrites the tree in place. Children are visited before their parent is rewritten. */
function instrument (root: AstNode): void {
  const targets: AstNode[] = []
  eachNode(root, (n) => {
    switch (n.type) {
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
      case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': case 'WhileStatement': case 'DoWhileStatement':
      case 'CatchClause': case 'TryStatement':
        targets.push(n)
    }
  })
  for (const n of targets) {
    switch (n.type) {
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression': {
        // enter() charges and counts depth; the finally undoes the depth on every exit path
        if (n.generator === true) {
          // a generator's frame outlives its call; charge it like a loop instead of counting depth
          n.body = block([call(LOOP), ...n.body.body])
          break
        }
        const body: AstNode[] = n.body.type === 'BlockStatement'
          ? n.body.body
          : [{ type: 'ReturnStatement', start: 0, end: 0, argument: n.body }]
        // directives ("use strict") must stay first in a function body
        const directives: AstNode[] = []
        while (body.length > 0 && body[0]!.type === 'ExpressionStatement' && typeof body[0]!.directive === 'string') directives.push(body.shift()!)
        n.body = block([
          ...directives,
          call(ENTER),
          { type: 'TryStatement', start: 0, end: 0, block: block(body), handler: null, finalizer: block([call(LEAVE)]) },
        ])
        n.expression = false
        break
      }
      case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': case 'WhileStatement': case 'DoWhileStatement':
        n.body = block([call(LOOP), ...asBlock(n.body).body])
        break
      case 'CatchClause': {
        const body: AstNode[] = n.body.body
        if (n.param === null || n.param === undefined) {
          n.param = id(ERR)
          n.body = block([call(CAUGHT, [id(ERR)]), ...body])
        } else if (n.param.type === 'Identifier') {
          n.body = block([call(CAUGHT, [id(n.param.name)]), ...body])
        } else {
          // catch ({ message }) — bind the pattern after the meter has seen the value
          const pattern = n.param
          n.param = id(ERR)
          n.body = block([
            call(CAUGHT, [id(ERR)]),
            { type: 'VariableDeclaration', start: 0, end: 0, kind: 'let', declarations: [{ type: 'VariableDeclarator', start: 0, end: 0, id: pattern, init: id(ERR) }] },
            block(body),
          ])
        }
        break
      }
      case 'TryStatement':
        if (n.finalizer !== null && n.finalizer !== undefined) n.finalizer = block([call(FINALLY), ...n.finalizer.body])
        break
    }
  }
}

/**
 * SES refuses source text that merely looks like `import(`, `eval(` or an HTML comment, even
 * inside a string. The program is generated from the AST, so such text can only come from
 * literals and method names: write those with escapes that keep their values and hide the text.
 * (Regular expression literals and tagged templates are left alone: escaping would change what
 * they see; SES then refuses the contract when it is loaded.)
 */
function escapeForSes (root: AstNode): void {
  // an escape is inserted only where the text is not already escaped (odd run of backslashes)
  const hide = (s: string): string => s.replace(/(\\*)(\bimport\b|\beval\b|<!--|-->)/g, (m: string, slashes: string, word: string) => {
    if (slashes.length % 2 === 1) return m
    const escaped = word === 'import' ? '\\u0069mport' : word === 'eval' ? '\\u0065val' : word === '<!--' ? '\\u003C!--' : '--\\u003E'
    return slashes + escaped
  })
  const tagged = new Set<AstNode>()
  eachNode(root, (n) => { if (n.type === 'TaggedTemplateExpression') tagged.add(n.quasi) })
  eachNode(root, (n) => {
    if (n.type === 'Literal' && typeof n.value === 'string') {
      n.raw = hide(JSON.stringify(n.value))
    } else if (n.type === 'TemplateLiteral' && !tagged.has(n)) {
      for (const q of n.quasis as AstNode[]) q.value = { raw: hide(q.value.raw as string), cooked: q.value.cooked }
    } else if ((n.type === 'Property' || n.type === 'MethodDefinition' || n.type === 'PropertyDefinition') && n.computed !== true &&
      n.key.type === 'Identifier' && (n.key.name === 'import' || n.key.name === 'eval')) {
      n.key = { type: 'Literal', start: 0, end: 0, value: n.key.name, raw: hide(JSON.stringify(n.key.name)) }
      if (n.type === 'Property' && n.shorthand === true) n.shorthand = false
    }
  })
}

const DEFAULT_ON_ERROR = 'const onError = function onError(call, error) {};'

/** Generates the program text of a checked contract. */
export function compileParsed (parsed: ParsedContract, source: string): CompiledContract {
  const parts: string[] = []
  for (const c of parsed.constants) {
    escapeForSes(c)
    parts.push(generate(c))
  }
  const functions: string[] = []
  for (const f of parsed.functions) {
    instrument(f)
    escapeForSes(f)
    // bound as const, so no function can rebind another between executions (hidden state)
    const name = f.id.name as string
    parts.push(`const ${name} = ${generate({ ...f, type: 'FunctionExpression' })};`)
    functions.push(name)
  }
  if (!functions.includes('onError')) {
    parts.push(DEFAULT_ON_ERROR)
    functions.push('onError')
  }
  const table = functions.map((name) => `[${JSON.stringify(name)}, ${name}]`).join(', ')
  const program = `(function (${METER_PARAMS.join(', ')}) {\n'use strict';\n${parts.join('\n')}\nreturn [${table}];\n})`
  return {
    name: parsed.name,
    form: parsed.form,
    codeHash: toHex(sha256(new TextEncoder().encode(source))),
    program,
    functions,
    exports: Object.fromEntries(parsed.exports),
  }
}

/** Parses, checks and compiles a contract's source. Errors carry `FILE:LINE:COL`. */
export function compileContract (source: string, file = 'contract.js', defaultName?: string): CompiledContract {
  return compileParsed(parseContract(source, file, defaultName ?? nameFromFile(file)), source)
}

function nameFromFile (file: string): string {
  const base = file.split(/[\\/]/).pop() ?? 'Contract'
  return base.replace(/\.[^.]*$/, '') || 'Contract'
}
