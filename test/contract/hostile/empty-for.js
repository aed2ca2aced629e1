// expect: OUT_OF_GAS
export function onCreate() { Global.n = 1 }
export function attack() { for (;;); }
export function ping() { return ++Global.n }
