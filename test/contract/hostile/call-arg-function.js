// expect: BAD_ARGUMENT
contract CallArgFunction {
  onCreate() { Global.n = 1 }
  export function attack() { executeContract('other', 'f', { cb: function () {} }); return 1 }
  export function ping() { return ++Global.n }
}
