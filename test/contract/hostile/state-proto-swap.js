// expect: NON_JSON_STATE
// swapping the prototype of the state object: a non-plain object is not JSON state
contract StateProtoSwap {
  onCreate() { Global.n = 1 }
  export function attack() { Global.x = {}; Object.setPrototypeOf(Global.x, { injected: true }); return 1 }
  export function ping() { return ++Global.n }
}
