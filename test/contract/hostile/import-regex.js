// expect: compile CONTRACT_INVALID
// a regular expression literal is not rewritten (that would change its source): SES refuses it
contract ImportRegex {
  export function attack() { return /import(x)/.source }
}
