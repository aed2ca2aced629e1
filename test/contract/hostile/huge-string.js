// expect: CONTRACT_THROW
contract HugeString {
  onCreate() { Global.n = 1 }
  export function attack() { return 'x'.repeat(2 ** 30).length }
  export function ping() { return ++Global.n }
}
