// expect: OUT_OF_GAS
// loops hidden in native iteration still pay for every callback
contract NativeCallbackLoop {
  onCreate() { Global.n = 1 }
  export function attack() { return Array.from({ length: 1e7 }, (x, i) => i).length }
  export function ping() { return ++Global.n }
}
