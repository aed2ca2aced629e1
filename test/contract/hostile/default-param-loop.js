// expect: OUT_OF_GAS
contract DefaultParamLoop {
  onCreate() { Global.n = 1 }
  function f(a = (() => { for (;;) {} })()) { return a }
  export function attack() { return f() }
  export function ping() { return ++Global.n }
}
