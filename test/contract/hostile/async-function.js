// expect: compile CONTRACT_INVALID
contract AsyncFunction {
  export function attack() { const f = async () => { Global.n = 2 }; f(); return 1 }
}
