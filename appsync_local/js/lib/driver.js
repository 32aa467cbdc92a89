// Runs one handler of one loaded file; everything crosses the Python boundary as JSON text.
'use strict';

var __appsync = (function () {
  var builtins = {
    '@aws-appsync/utils': { util: util, runtime: runtime, extensions: extensions },
    '@aws-appsync/utils/dynamodb': __appsyncDynamoDBModule,
  };
  var factories = {};

  function importModule(name) { return builtins[name]; }

  function compile(source) { return JSON.stringify(__appsyncLoader.compile(source)); }

  function register(id, factory) { factories[id] = factory; }

  function outcomeOf(signal) {
    if (signal.__appsync_signal === 'earlyReturn') {
      return { status: 'earlyReturn', value: signal.value, skipTo: signal.skipTo };
    }
    return { status: 'error', message: signal.message, errorType: signal.errorType, data: signal.data,
      errorInfo: signal.errorInfo };
  }

  function call(id, handler, ctxJson, envJson) {
    var env = JSON.parse(envJson);
    __appsyncState.authType = env.authType;
    __appsyncState.typeName = env.typeName;
    __appsyncState.fieldName = env.fieldName;
    __appsyncState.appended = [];
    __appsyncState.extensions = {};
    var ctx = JSON.parse(ctxJson);
    ctx.args = ctx.arguments;
    var outcome;
    try {
      // A fresh module instance per call: module-level state never leaks between requests.
      var exported = factories[id](importModule);
      if (typeof exported[handler] !== 'function') {
        outcome = { status: 'missing' };
      } else {
        var value = exported[handler](ctx);
        outcome = { status: 'ok', value: value === undefined ? null : value };
      }
    } catch (e) {
      if (e instanceof __AppSyncSignal) outcome = outcomeOf(e);
      else {
        outcome = { status: 'code', name: (e && e.name) || 'Error', message: String(e && e.message !== undefined ? e.message : e),
          stack: String((e && e.stack) || '') };
      }
    }
    outcome.stash = ctx.stash;
    outcome.appended = __appsyncState.appended;
    outcome.extensions = __appsyncState.extensions;
    try {
      return JSON.stringify(outcome);
    } catch (e) {
      return JSON.stringify({ status: 'code', name: 'TypeError', message: 'the handler returned a value that is not JSON: ' +
        String(e.message), stack: '', stash: {}, appended: [], extensions: {} });
    }
  }

  return { compile: compile, register: register, call: call };
})();
