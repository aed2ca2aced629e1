contract Counter {
  function onCreate() { Global.count = 0; }
  export function call(arg) { Global.count++; return Global.count; }
  export function add(n) {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError('add: expected an integer');
    Global.count += n;
    return Global.count;
  }
  onError(call, error) { Global.lastError = error; }   // method shorthand is accepted too
}
