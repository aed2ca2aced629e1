// expect: CONTRACT_THROW
contract CompartmentViaGlobalThis {
  onCreate() { Global.n = 1 }
  export function attack() { return new globalThis.Compartment().evaluate('while (true) {}') }
  export function ping() { return ++Global.n }
}
