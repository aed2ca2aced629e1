// expect: OUT_OF_GAS
contract CatchNoBinding {
  onCreate() { Global.n = 1 }
  export function attack() {
    let tries = 0
    while (tries < 1000000000) { try { for (;;) {} } catch { tries++ } }
    return tries
  }
  export function ping() { return ++Global.n }
}
