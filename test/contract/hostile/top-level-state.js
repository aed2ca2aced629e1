// expect: compile CONTRACT_INVALID
// a module-level object would be state outside Global
const cache = {}
export function attack(k) { cache[k] = 1; return Object.keys(cache).length }
