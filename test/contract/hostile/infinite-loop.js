// expect: OUT_OF_GAS
contract InfiniteLoop {
  onCreate() { Global.n = 1 }
  export function attack() { Global.n = 100; while (true) {} }
  export function ping() { return ++Global.n }
}
