// expect: NON_JSON_STATE
// a getter would run contract code while the host reads the state
contract StateGetter {
  onCreate() { Global.n = 1 }
  export function attack() { Object.defineProperty(Global, 'x', { enumerable: true, get() { while (true) {} } }); return 1 }
  export function ping() { return ++Global.n }
}
