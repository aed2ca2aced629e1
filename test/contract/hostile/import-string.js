// expect: compile CONTRACT_INVALID
// SES refuses source text that looks like a dynamic import, even inside a string
contract ImportString {
  export function attack() { return 'import(x)' }
}
