// Wraps the host's Python callables: each answers JSON {ok: value} or {error: message}; an error becomes a JS
// Error, so the resolver fails as AppSync's runtime would fail on a bad argument.
'use strict';

var __host_uuid, __host_ulid, __host_ksuid, __host_format_time, __host_parse_time, __host_parse_iso,
  __host_base64_encode, __host_base64_decode, __host_url_encode, __host_url_decode, __host_log;

(function (global) {
  ['uuid', 'ulid', 'ksuid', 'format_time', 'parse_time', 'parse_iso', 'base64_encode', 'base64_decode',
    'url_encode', 'url_decode', 'log'].forEach(function (name) {
    var raw = global['__raw_host_' + name];
    global['__host_' + name] = function () {
      var answer = JSON.parse(raw.apply(null, arguments));
      if (Object.prototype.hasOwnProperty.call(answer, 'error')) throw new Error(answer.error);
      return answer.ok;
    };
  });
})(globalThis);
