// expect: QUEUE_FULL
contract TooManyCalls {
  onCreate() { Global.n = 1 }
  export function attack() { for (let i = 0; i < 100; i++) executeContract('other', 'f', i); return 1 }
  export function ping() { return ++Global.n }
}
