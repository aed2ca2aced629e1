// expect: compile CONTRACT_SYNTAX
contract WithStatement {
  export function attack() { with (Math) { return PI } }
}
