// expect: compile CONTRACT_INVALID
contract DynamicImport {
  export function attack() { return import('node:fs') }
}
