// expect: CONTRACT_THROW
contract Eval {
  onCreate() { Global.n = 1 }
  export function attack() { const e = globalThis['ev' + 'al']; return e('for (;;) {}') }
  export function ping() { return ++Global.n }
}
