// expect: NON_JSON_RESULT
contract ResultPromise {
  onCreate() { Global.n = 1 }
  export function attack() { return Promise.resolve(1) }
  export function ping() { return ++Global.n }
}
