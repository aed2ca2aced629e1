// expect: CONTRACT_THROW
// an error the host threw cannot be altered into another code, and a copy is just an Error
contract HostErrorForgery {
  onCreate() { Global.n = 1 }
  export function attack() {
    let caught
    try { executeContract('', 'f', null) } catch (e) { caught = e }
    try { caught.message = 'OUT_OF_GAS' } catch (e) {}
    throw new caught.constructor('pretend to be the host')
  }
  export function ping() { return ++Global.n }
}
