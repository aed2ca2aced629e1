contract MainService { // the application's main component (paper Figure 10)
  function onCreate() { // the contract's constructor
    // Global is the contract's state object: all state it keeps must be members of Global
    Global.count = 0; // the component's main state
    Global.logger = ""; // contract ID of the logging component
  }
  // export makes a function callable by transactions, like Java's public
  export function call(arg) {
    Global.count++;
    if (Global.logger) { // log only when a logger is registered
      executeContract(Global.logger, "log", "call"); // record this execution
    }
  }
  export function get(arg) {
    if (Global.logger) {
      executeContract(Global.logger, "log", "get");
    }
    return Global.count;
  }
  // loggerID: contract ID of the logging component
  export function registerLogger(loggerID) {
    Global.logger = loggerID;
  }
}
