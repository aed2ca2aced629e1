// expect: OUT_OF_GAS
contract ClassStaticBlock {
  onCreate() { Global.n = 1 }
  export function attack() { class C { static { while (true) {} } } return C }
  export function ping() { return ++Global.n }
}
