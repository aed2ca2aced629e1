// expect: ok [false,false,false]
// the meter is passed to the compiled program as parameters: not on the global object
contract MeterReach {
  onCreate() { Global.n = 1 }
  export function attack() {
    const names = Object.getOwnPropertyNames(globalThis)
    return [names.some((n) => n.startsWith('__bet')), 'Global' in globalThis === false, names.includes('process')]
  }
  export function ping() { return ++Global.n }
}
