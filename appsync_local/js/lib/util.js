// AppSync's `util` (built-in-util-js), `runtime` and `extensions`, as APPSYNC_JS code sees them.
// Host functions (__host_*) are Python callables for what needs the OS: randomness, time zones, encodings.
'use strict';

var __appsyncState = {
  // Set by the driver before each handler runs: what this call may record.
  authType: null, typeName: null, fieldName: null, appended: [], extensions: {},
};

function __AppSyncSignal(kind, fields) {
  this.__appsync_signal = kind;
  for (var k in fields) this[k] = fields[k];
}

// util.http: the request headers to pass on, and the response's own headers (checked by the runtime, which adds a
// ResponseHeaderError for each it leaves out: appsync_local/response_headers.py).
var __appsyncHttp = (function () {
  var COPY_RESTRICTED = ['transfer-encoding', 'connection', 'host', 'expect', 'keep-alive', 'upgrade',
    'proxy-authenticate', 'proxy-authorization', 'te', 'content-length'];
  function addResponseHeader(name, value) {
    (__appsyncState.extensions.responseHeaders = __appsyncState.extensions.responseHeaders || [])
      .push({ name: name === undefined ? null : name, value: value === undefined ? null : value });
  }
  return {
    copyHeaders: function (headers) {
      var copied = {};
      Object.keys(headers || {}).forEach(function (name) {
        if (COPY_RESTRICTED.indexOf(name.toLowerCase()) < 0) copied[name] = headers[name];
      });
      return copied;
    },
    addResponseHeader: addResponseHeader,
    addResponseHeaders: function (headers) {
      Object.keys(headers || {}).forEach(function (name) { addResponseHeader(name, headers[name]); });
    },
  };
})();

var util = (function () {
  function isNull(v) { return v === null || v === undefined; }

  function toDynamoDB(value) {
    if (value === null || value === undefined) return { NULL: null };
    if (typeof value === 'string') return { S: value };
    if (typeof value === 'number') return { N: value };
    if (typeof value === 'boolean') return { BOOL: value };
    if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
    if (typeof value === 'object') return { M: toMapValues(value) };
    return { S: String(value) };
  }

  function toMapValues(object) {
    var out = {};
    Object.keys(object || {}).forEach(function (k) {
      if (object[k] !== undefined) out[k] = toDynamoDB(object[k]);
    });
    return out;
  }

  var dynamodb = {
    toDynamoDB: toDynamoDB,
    toMapValues: toMapValues,
    toString: function (s) { return { S: s }; },
    toNumber: function (n) { return { N: n }; },
    toStringSet: function (list) { return { SS: list }; },
    toNumberSet: function (list) { return { NS: list }; },
    toBinary: function (b) { return { B: b }; },
    toBinarySet: function (list) { return { BS: list }; },
    toBoolean: function (b) { return { BOOL: b }; },
    toNull: function () { return { NULL: null }; },
    toList: function (list) { return { L: list.map(toDynamoDB) }; },
    toMap: function (object) { return { M: toMapValues(object) }; },
    toS3Object: function (key, bucket, region, version) {
      var s3 = { key: key, bucket: bucket, region: region };
      if (version !== undefined && version !== null) s3.version = version;
      return { S: JSON.stringify({ s3: s3 }) };
    },
    fromS3ObjectJson: function (json) {
      var parsed = typeof json === 'string' ? JSON.parse(json) : json;
      return (parsed && parsed.s3) || parsed;
    },
  };

  var time = {
    nowISO8601: function () { return new Date(Date.now()).toISOString(); },
    nowEpochSeconds: function () { return Math.floor(Date.now() / 1000); },
    nowEpochMilliSeconds: function () { return Date.now(); },
    nowFormatted: function (format, timezone) { return __host_format_time(Date.now(), format, timezone || 'UTC'); },
    parseFormattedToEpochMilliSeconds: function (value, format, timezone) {
      return __host_parse_time(value, format, timezone || 'UTC');
    },
    parseISO8601ToEpochMilliSeconds: function (value) { return __host_parse_iso(value); },
    epochMilliSecondsToSeconds: function (ms) { return Math.floor(ms / 1000); },
    epochMilliSecondsToISO8601: function (ms) { return new Date(ms).toISOString(); },
    epochMilliSecondsToFormatted: function (ms, format, timezone) {
      return __host_format_time(ms, format, timezone || 'UTC');
    },
  };

  var math = {
    roundNum: function (n) { return Math.round(n); },
    minVal: function (a, b) { return Math.min(a, b); },
    maxVal: function (a, b) { return Math.max(a, b); },
    randomDouble: function () { return Math.random(); },
    randomWithinRange: function (min, max) { return Math.floor(Math.random() * (max - min + 1)) + min; },
  };

  var AUTH_TYPES = {
    API_KEY: 'API Key Authorization',
    AWS_IAM: 'IAM Authorization',
    AMAZON_COGNITO_USER_POOLS: 'User Pool Authorization',
    OPENID_CONNECT: 'Open ID Connect Authorization',
    AWS_LAMBDA: 'Lambda Authorization',
  };

  function errorSignal(kind, message, errorType, data, errorInfo, defaultType) {
    return new __AppSyncSignal(kind, {
      message: message === undefined || message === null ? '' : String(message),
      errorType: errorType === undefined || errorType === null ? defaultType : String(errorType),
      data: data === undefined ? null : data,
      errorInfo: errorInfo === undefined ? null : errorInfo,
    });
  }

  return {
    autoId: function () { return __host_uuid(); },
    autoUlid: function () { return __host_ulid(); },
    autoKsuid: function () { return __host_ksuid(); },
    error: function (message, errorType, data, errorInfo) {
      throw errorSignal('error', message, errorType, data, errorInfo, 'CustomTemplateException');
    },
    appendError: function (message, errorType, data, errorInfo) {
      var e = errorSignal('append', message, errorType, data, errorInfo, 'CustomTemplateException');
      __appsyncState.appended.push({ message: e.message, errorType: e.errorType, data: e.data, errorInfo: e.errorInfo });
    },
    unauthorized: function () {
      throw errorSignal('error', 'Not Authorized to access ' + __appsyncState.fieldName + ' on type ' +
        __appsyncState.typeName, 'Unauthorized', null, null, 'Unauthorized');
    },
    authType: function () { return AUTH_TYPES[__appsyncState.authType] || __appsyncState.authType; },
    time: time,
    dynamodb: dynamodb,
    transform: __appsyncTransform(toDynamoDB),
    // AppSync documents the forms in lower case ("nfc", "nfd", "nfkc", "nfkd"); JavaScript takes upper case.
    http: __appsyncHttp,
    str: { normalize: function (s, form) { return String(s).normalize(String(form).toUpperCase()); } },
    math: math,
    base64Encode: function (s) { return __host_base64_encode(String(s)); },
    base64Decode: function (s) { return __host_base64_decode(String(s)); },
    urlEncode: function (s) { return __host_url_encode(String(s)); },
    urlDecode: function (s) { return __host_url_decode(String(s)); },
    escapeJavaScript: function (s) {
      return JSON.stringify(String(s)).slice(1, -1).split("'").join("\\'").split('/').join('\\/');
    },
    matches: function (pattern, value) { return new RegExp('^(?:' + pattern + ')$').test(String(value)); },
    isNull: isNull,
    isNullOrEmpty: function (v) { return isNull(v) || (typeof v === 'string' && v.length === 0); },
    isNullOrBlank: function (v) { return isNull(v) || (typeof v === 'string' && v.trim().length === 0); },
    defaultIfNull: function (v, d) { return isNull(v) ? d : v; },
    defaultIfNullOrEmpty: function (v, d) { return isNull(v) || v === '' ? d : v; },
    defaultIfNullOrBlank: function (v, d) { return isNull(v) || (typeof v === 'string' && v.trim() === '') ? d : v; },
    isString: function (v) { return typeof v === 'string'; },
    isNumber: function (v) { return typeof v === 'number'; },
    isBoolean: function (v) { return typeof v === 'boolean'; },
    isList: function (v) { return Array.isArray(v); },
    isMap: function (v) { return v !== null && typeof v === 'object' && !Array.isArray(v); },
    typeOf: function (v) {
      if (isNull(v)) return 'Null';
      if (Array.isArray(v)) return 'List';
      return { string: 'String', number: 'Number', boolean: 'Boolean', object: 'Map' }[typeof v] || 'Object';
    },
  };
})();

var runtime = {
  earlyReturn: function (value, options) {
    throw new __AppSyncSignal('earlyReturn', {
      value: value === undefined ? null : value,
      skipTo: (options && options.skipTo) || null,
    });
  },
};

var extensions = {
  setSubscriptionFilter: function (filter) { __appsyncState.extensions.subscriptionFilter = filter; },
  setSubscriptionInvalidationFilter: function (filter) {
    __appsyncState.extensions.subscriptionInvalidationFilter = filter;
  },
  invalidateSubscriptions: function (invalidation) {
    (__appsyncState.extensions.invalidateSubscriptions = __appsyncState.extensions.invalidateSubscriptions || [])
      .push(invalidation);
  },
  evictFromApiCache: function (typeName, fieldName, keys) {
    (__appsyncState.extensions.evictFromApiCache = __appsyncState.extensions.evictFromApiCache || [])
      .push({ typeName: typeName, fieldName: fieldName, keys: keys });
  },
};

var console = (function () {
  function logger(level) {
    return function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i += 1) {
        var a = arguments[i];
        parts.push(typeof a === 'string' ? a : JSON.stringify(a));
      }
      __host_log(level, parts.join(' '));
    };
  }
  return { log: logger('INFO'), info: logger('INFO'), debug: logger('DEBUG'), warn: logger('WARN'), error: logger('ERROR') };
})();
