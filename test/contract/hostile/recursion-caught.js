// expect: STACK_OVERFLOW
// catching the depth error at every level must not let the recursion continue
contract RecursionCaught {
  onCreate() { Global.n = 1 }
  function down() { try { return down() } catch (e) { return down() } }
  export function attack() { return down() }
  export function ping() { return ++Global.n }
}
