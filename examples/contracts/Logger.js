contract Logger { // the logging component (paper Figure 10; Array push for the paper's append)
  onCreate() { // constructor
    Global.logs = []; // log entries
  }
  // records one log entry
  export function log(content) {
    Global.logs.push(content)
  }
  // the number of entries: a simple analysis
  export function analyze(arg) {
    return Global.logs.length;
  }
}
