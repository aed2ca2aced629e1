// expect: ok "kept"
// the Global accessor taken out of the global object is dead outside an execution
contract GlobalAccessorLater {
  onCreate() { Global.n = 1 }
  export function attack() {
    const d = Object.getOwnPropertyDescriptor(globalThis, 'Global')
    Promise.resolve().then(() => d.set({ n: 1000 }))
    Promise.resolve().then(d.set.bind(null, { n: 2000 }))
    return 'kept'
  }
  export function ping() { return ++Global.n }
}
