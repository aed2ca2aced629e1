// expect: CONTRACT_THROW
contract ErrorMessageAccessor {
  onCreate() { Global.n = 1 }
  export function attack() {
    const e = new TypeError('x')
    Object.defineProperty(e, 'message', { get() { for (;;) {} } })
    throw e
  }
  export function ping() { return ++Global.n }
}
