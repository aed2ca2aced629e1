// expect: CONTRACT_THROW
contract NewDate {
  onCreate() { Global.n = 1 }
  export function attack() { return String(new Date()) }
  export function ping() { return ++Global.n }
}
