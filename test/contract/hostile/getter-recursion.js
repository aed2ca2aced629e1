// expect: STACK_OVERFLOW
contract GetterRecursion {
  onCreate() { Global.n = 1 }
  export function attack() { const o = { get x() { return o.x } }; try { return o.x } catch (e) { return 'caught' } }
  export function ping() { return ++Global.n }
}
