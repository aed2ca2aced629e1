// expect: STACK_OVERFLOW
contract DeepRecursion {
  onCreate() { Global.n = 1 }
  function down(k) { return down(k + 1) + 1 }
  export function attack() { return down(0) }
  export function ping() { return ++Global.n }
}
