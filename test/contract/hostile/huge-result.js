// expect: RESULT_TOO_LARGE
contract HugeResult {
  onCreate() { Global.n = 1 }
  export function attack() { return 'x'.repeat(1024 * 1024) }
  export function ping() { return ++Global.n }
}
