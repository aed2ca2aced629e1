// expect: CONTRACT_THROW
contract MathRandom {
  onCreate() { Global.n = 1 }
  export function attack() { return Math.random() }
  export function ping() { return ++Global.n }
}
