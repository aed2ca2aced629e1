// expect: WATCHDOG_TIMEOUT
// native work the meter cannot see: the watchdog kills and replaces the worker
contract CatastrophicRegex {
  onCreate() { Global.n = 1 }
  export function attack() { return /^(a+)+$/.test('a'.repeat(40) + 'b') }
  export function ping() { return ++Global.n }
}
