// expect: ok ["undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined"]
// nothing of the host is reachable by name
contract AmbientGlobals {
  onCreate() { Global.n = 1 }
  export function attack() {
    return [typeof process, typeof require, typeof module, typeof Buffer, typeof setTimeout, typeof setImmediate,
      typeof queueMicrotask, typeof fetch, typeof console, typeof Compartment, typeof eval, typeof Proxy,
      typeof WebAssembly, typeof performance, typeof globalThis.process, typeof lockdown]
  }
  export function ping() { return ++Global.n }
}
