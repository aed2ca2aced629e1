// expect: ok "scheduled"
// microtasks run after the execution ended: they cannot change state or queue calls
contract MicrotaskState {
  onCreate() { Global.n = 1 }
  export function attack() {
    const g = Global
    Promise.resolve().then(() => { Global.n = 1000 })
    Promise.resolve().then(() => { executeContract('x', 'y', null) })
    Promise.resolve().then(Object.assign.bind(null, g, { n: 5000 }))
    return 'scheduled'
  }
  export function ping() { return ++Global.n }
}
