// expect: compile CONTRACT_INVALID
import { readFileSync } from 'node:fs'
export function attack() { return readFileSync('/etc/passwd', 'utf8') }
