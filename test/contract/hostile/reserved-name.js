// expect: compile CONTRACT_INVALID
contract ReservedName {
  export function attack() { function __betasco_enter() {} return 1 }
}
