// expect: CONTRACT_THROW
export function onCreate() { Global.n = 1 }
function step() { return 1 }
export function attack() { step = () => 1000; return 1 }
export function ping() { Global.n += step(); return Global.n }
