// expect: STATE_TOO_LARGE
contract HugeState {
  onCreate() { Global.n = 1 }
  export function attack() { Global.blob = 'x'.repeat(8 * 1024 * 1024); return 1 }
  export function ping() { return ++Global.n }
}
