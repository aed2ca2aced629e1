// expect: compile CONTRACT_INVALID
export function attack() { return import.meta.url }
