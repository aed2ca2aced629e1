// expect: ok [false,"undefined"]
// legacy RegExp statics would carry data from one contract to the next
contract RegExpStatics {
  onCreate() { Global.n = 1 }
  export function attack() { /(secret)/.test('secret'); return ['$1' in RegExp, typeof RegExp.lastMatch] }
  export function ping() { return ++Global.n }
}
