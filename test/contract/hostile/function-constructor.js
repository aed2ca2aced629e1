// expect: CONTRACT_THROW
// the constructor chain leads only to SES's tamed Function.prototype.constructor, which throws
contract FunctionConstructor {
  onCreate() { Global.n = 1 }
  export function attack() { return (function () {}).constructor('return this')() }
  export function ping() { return ++Global.n }
}
