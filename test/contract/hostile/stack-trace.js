// expect: ok ["","","",""]
// stack traces would leak host paths and differ between members: they are empty
contract StackTrace {
  onCreate() { Global.n = 1 }
  export function attack() {
    const out = []
    try { null.x } catch (e) { out.push(String(e.stack)) }
    out.push(String(new Error('x').stack))
    try { executeContract(1, 2, 3) } catch (e) { out.push(String(e.stack)) }
    out.push(String(new RangeError('r').stack))
    return out
  }
  export function ping() { return ++Global.n }
}
