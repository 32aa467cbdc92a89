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

  // ctx[name] read from its JSON text on first use: a handler that never looks at the stash or the previous
  // result does not pay for reading them (a pipeline hands both from handler to handler).
  function lazy(ctx, name, json, wrap) {
    var read = false;
    var value;
    Object.defineProperty(ctx, name, {
      enumerable: true,
      configurable: true,
      get: function () {
        if (!read) { value = wrap(json); read = true; }
        return value;
      },
      set: function (replaced) { value = replaced; read = true; },
    });
    return function () { return read ? { value: value } : null; };
  }

  function parsed(json) { return JSON.parse(json); }

  // A previous result as an object or array read from its JSON text on first use. A handler that hands it on
  // untouched (`return ctx.prev.result`, `runtime.earlyReturn(ctx.prev.result)`) hands on the text itself,
  // as the engine wrote it, without reading and writing it again (`untouched`). Anything done to it (reading
  // a member, listing its keys, changing it, JSON.stringify) first copies the value into the proxy's own
  // target, then acts on the target, so it behaves as the plain value it stands for.
  var unread = new WeakMap();

  function lazyValue(json) {
    'use strict'; // the library's files run as one script: say it here, for the traps' refused changes to throw
    var first = json.charAt(0);
    if (first !== '{' && first !== '[') return JSON.parse(json);
    var target = first === '[' ? [] : {};
    var state = { json: json };
    function read() {
      if (state.json === null) return;
      var value = JSON.parse(state.json);
      state.json = null;
      unread.delete(proxy);
      Object.keys(value).forEach(function (key) {
        // defineProperty, not assignment: a "__proto__" key stays an own property, as JSON.parse made it
        Object.defineProperty(target, key, { value: value[key], writable: true, enumerable: true, configurable: true });
      });
    }
    // Each trap reads the value first, then does to the target what the operation does to a plain value: the
    // proxy stays a receiver's prototype as a plain value would, and a refused change (a frozen value) throws
    // the engine's own TypeError (strict code), not the proxy's.
    var traps = {
      get: function (t, key, receiver) { read(); return Reflect.get(t, key, receiver === proxy ? t : receiver); },
      set: function (t, key, value, receiver) {
        read();
        if (receiver !== proxy) return Reflect.set(t, key, value, receiver);
        t[key] = value;
        return true;
      },
      has: function (t, key) { read(); return Reflect.has(t, key); },
      deleteProperty: function (t, key) { read(); return delete t[key]; },
      ownKeys: function (t) { read(); return Reflect.ownKeys(t); },
      getOwnPropertyDescriptor: function (t, key) { read(); return Reflect.getOwnPropertyDescriptor(t, key); },
      defineProperty: function (t, key, descriptor) { read(); Object.defineProperty(t, key, descriptor); return true; },
      getPrototypeOf: function (t) { read(); return Reflect.getPrototypeOf(t); },
      setPrototypeOf: function (t, prototype) { read(); Object.setPrototypeOf(t, prototype); return true; },
      isExtensible: function (t) { read(); return Reflect.isExtensible(t); },
      preventExtensions: function (t) { read(); Object.preventExtensions(t); return true; },
    };
    var proxy = new Proxy(target, traps);
    unread.set(proxy, state);
    return proxy;
  }

  // The JSON text of a value still unread since it came in as text, or undefined.
  function untouched(value) {
    if (value === null || typeof value !== 'object') return undefined;
    var state = unread.get(value);
    return state === undefined ? undefined : state.json;
  }

  function asPrev(json) { return { result: lazyValue(json) }; }

  // The stash as the next handler gets it: a JSON object, or {} for anything else.
  function stashJson(value) {
    var text = JSON.stringify(value);
    return typeof text === 'string' && text.charAt(0) === '{' ? text : '{}';
  }

  // Returns the outcome's JSON, then U+0001, the value's JSON (nothing when it is prevText itself, handed on
  // untouched: Python has it), then U+0001 and the stash's JSON, or nothing when the handler never read the stash
  // (JSON.stringify escapes every control character; a JSON text is never empty).
  function call(id, handler, ctxJson, envJson, stashText, prevText, resultText) {
    var env = JSON.parse(envJson);
    __appsyncState.authType = env.authType;
    __appsyncState.typeName = env.typeName;
    __appsyncState.fieldName = env.fieldName;
    __appsyncState.appended = [];
    __appsyncState.extensions = {};
    var base = JSON.parse(ctxJson);
    var ctx = {};
    var stashOf = null;
    Object.keys(base).forEach(function (key) {
      if (key === 'stash') stashOf = lazy(ctx, key, stashText, parsed);
      else if (key === 'prev') lazy(ctx, key, prevText, asPrev);
      // ctx.result the same way when it is prev's text, so text the engine wrote (a pipeline's response handler
      // gets the last function's result as both); a data source's result, written by Python, is read at once,
      // so its numbers are JavaScript's
      else if (key === 'result') lazy(ctx, key, resultText, resultText === prevText ? lazyValue : parsed);
      else ctx[key] = base[key];
    });
    ctx.args = ctx.arguments;
    var outcome;
    var value = null;
    try {
      // A fresh module instance per call: module-level state never leaks between requests.
      var exported = factories[id](importModule);
      if (typeof exported[handler] !== 'function') {
        outcome = { status: 'missing' };
      } else {
        value = exported[handler](ctx);
        outcome = { status: 'ok' };
      }
    } catch (e) {
      if (e instanceof __AppSyncSignal) {
        outcome = outcomeOf(e);
        value = outcome.value;
        delete outcome.value;
      } else {
        outcome = { status: 'code', name: (e && e.name) || 'Error', message: String(e && e.message !== undefined ? e.message : e),
          stack: String((e && e.stack) || '') };
      }
    }
    outcome.appended = __appsyncState.appended;
    outcome.extensions = __appsyncState.extensions;
    try {
      var valueText = untouched(value);
      if (valueText === prevText) valueText = '';
      else if (valueText === undefined) valueText = value === undefined ? 'null' : JSON.stringify(value);
      var stash = stashOf && stashOf();
      // join, not +: the engine hands Python a flat string only (concatenation may leave a rope)
      return [JSON.stringify(outcome), valueText === undefined ? 'null' : valueText,
        stash ? stashJson(stash.value) : ''].join('\u0001');
    } catch (e) {
      return [JSON.stringify({ status: 'code', name: 'TypeError', message: 'the handler returned a value that is not JSON: ' +
        String(e.message), stack: '', appended: [], extensions: {} }), 'null', '{}'].join('\u0001');
    }
  }

  return { compile: compile, register: register, call: call };
})();
