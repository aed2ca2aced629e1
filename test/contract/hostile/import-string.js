// expect: ok ["import(x)","eval(1)","<!-- -->","import(y)"]
// SES refuses source text that looks like import( or eval( even in strings; the compiler escapes
// such literals, so only real dynamic imports are refused (at compile time)
contract ImportString {
  onCreate() { Global.n = 1 }
  export function attack() { const o = { import() { return 'import(y)' } }; return ['import(x)', `eval(${1})`, '<!-- -->', o.import()] }
  export function ping() { return ++Global.n }
}
