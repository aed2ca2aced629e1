// expect: ok *
// random() is derived from the tx ID: the same on every member and every run
contract DeterministicRandom {
  onCreate() { Global.n = 1 }
  export function attack() { return [random(), random(), random()] }
  export function ping() { return ++Global.n }
}
