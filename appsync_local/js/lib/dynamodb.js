// The `@aws-appsync/utils/dynamodb` module: request objects for the DynamoDB data source (built-in-modules-js).
'use strict';

var __appsyncDynamoDBModule = (function () {
  var transform = util.transform;
  var SETS = ['SS', 'NS', 'BS'];

  function isTypedSet(v) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
    var keys = Object.keys(v);
    return keys.length === 1 && SETS.indexOf(keys[0]) >= 0;
  }

  // Like util.dynamodb.toDynamoDB, but keeps the module's own set values ({SS: [...]}) as sets.
  function typed(value) {
    if (isTypedSet(value)) return value;
    if (Array.isArray(value)) return { L: value.map(typed) };
    if (value && typeof value === 'object') {
      var m = {};
      Object.keys(value).forEach(function (k) { if (value[k] !== undefined) m[k] = typed(value[k]); });
      return { M: m };
    }
    return util.dynamodb.toDynamoDB(value);
  }

  function mapValues(object) {
    var out = {};
    Object.keys(object || {}).forEach(function (k) { if (object[k] !== undefined) out[k] = typed(object[k]); });
    return out;
  }

  function wrap(value) { return { __appsync_typed: true, typed: typed(value) }; }

  function conditionOf(filter) {
    if (!filter) return undefined;
    var builder = new transform.__Builder();
    var expression = transform.__conditionOf(builder, wrapLeaves(filter));
    return builder.result(expression);
  }

  // Filter operands become typed with the module's set handling.
  function wrapLeaves(filter) {
    var out = {};
    Object.keys(filter).forEach(function (key) {
      var operand = filter[key];
      if (key === 'and' || key === 'or') out[key] = operand.map(wrapLeaves);
      else if (key === 'not') out[key] = wrapLeaves(operand);
      else {
        out[key] = {};
        Object.keys(operand || {}).forEach(function (op) {
          var v = operand[op];
          if (op === 'between' || op === 'in') out[key][op] = v.map(wrap);
          else if (op === 'attributeExists' || op === 'size') out[key][op] = v;
          else out[key][op] = wrap(v);
        });
      }
    });
    return out;
  }

  function projectionOf(fields) {
    if (!fields || !fields.length) return undefined;
    var builder = new transform.__Builder();
    var expression = fields.map(function (f) { return builder.name(f); }).join(', ');
    return { expression: expression, expressionNames: builder.names };
  }

  function assign(target, source, names) {
    names.forEach(function (n) {
      if (source[n] !== undefined && source[n] !== null) target[n] = source[n];
    });
    return target;
  }

  function Operation(type, value, extra) {
    this.__appsync_op = type;
    this.value = value;
    this.extra = extra;
  }

  var operations = {
    add: function (value) { return new Operation('add', value); },
    remove: function () { return new Operation('remove'); },
    replace: function (value) { return new Operation('replace', value); },
    increment: function (by) { return new Operation('increment', by === undefined ? 1 : by); },
    decrement: function (by) { return new Operation('decrement', by === undefined ? 1 : by); },
    append: function (items) { return new Operation('append', items); },
    prepend: function (items) { return new Operation('prepend', items); },
    updateListItem: function (value, index) { return new Operation('updateListItem', value, index); },
  };

  function isPlainObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Operation) && !isTypedSet(v);
  }

  function updateExpressionOf(update) {
    var builder = new transform.__Builder();
    var set = [];
    var remove = [];
    var add = [];

    function visit(path, value) {
      var name = builder.name(path);
      var label = path.replace(/\./g, '_');
      if (value instanceof Operation) {
        switch (value.__appsync_op) {
          case 'remove': remove.push(name); return;
          case 'add': case 'replace': set.push(name + ' = ' + builder.value(label, wrap(value.value))); return;
          case 'increment': add.push(name + ' ' + builder.value(label, wrap(value.value))); return;
          case 'decrement': add.push(name + ' ' + builder.value(label, wrap(-value.value))); return;
          case 'append':
            set.push(name + ' = list_append(if_not_exists(' + name + ', ' + builder.value(label + '_empty', wrap([])) +
              '), ' + builder.value(label, wrap(value.value)) + ')');
            return;
          case 'prepend':
            set.push(name + ' = list_append(' + builder.value(label, wrap(value.value)) + ', if_not_exists(' + name +
              ', ' + builder.value(label + '_empty', wrap([])) + '))');
            return;
        }
      }
      if (Array.isArray(value) && value.length && value.every(function (v) { return v instanceof Operation && v.__appsync_op === 'updateListItem'; })) {
        value.forEach(function (op) {
          set.push(name + '[' + op.extra + '] = ' + builder.value(label + '_' + op.extra, wrap(op.value)));
        });
        return;
      }
      if (value === null) { remove.push(name); return; }
      if (isPlainObject(value)) {
        Object.keys(value).forEach(function (k) { if (value[k] !== undefined) visit(path + '.' + k, value[k]); });
        return;
      }
      set.push(name + ' = ' + builder.value(label, wrap(value)));
    }

    Object.keys(update || {}).forEach(function (k) { if (update[k] !== undefined) visit(k, update[k]); });
    var clauses = [];
    if (set.length) clauses.push('SET ' + set.join(', '));
    if (add.length) clauses.push('ADD ' + add.join(', '));
    if (remove.length) clauses.push('REMOVE ' + remove.join(', '));
    return builder.result(clauses.join(' '));
  }

  var KEY_OPS = { eq: '=', le: '<=', lt: '<', ge: '>=', gt: '>' };

  function keyConditionOf(query) {
    var builder = new transform.__Builder();
    var parts = [];
    Object.keys(query || {}).forEach(function (field) {
      var ops = query[field] || {};
      Object.keys(ops).forEach(function (op) {
        var name = builder.name(field);
        var label = field + '_' + op;
        if (KEY_OPS[op]) parts.push(name + ' ' + KEY_OPS[op] + ' ' + builder.value(label, wrap(ops[op])));
        else if (op === 'beginsWith') parts.push('begins_with(' + name + ', ' + builder.value(label, wrap(ops[op])) + ')');
        else if (op === 'between') {
          parts.push(name + ' BETWEEN ' + builder.value(label + '_0', wrap(ops[op][0])) + ' AND ' +
            builder.value(label + '_1', wrap(ops[op][1])));
        } else util.error('Unsupported key condition operator ' + op + ' on ' + field, 'InvalidQuery');
      });
    });
    return builder.result(parts.join(' AND '));
  }

  function withCommon(request, payload) {
    var condition = conditionOf(payload.condition);
    if (condition) request.condition = condition;
    return assign(request, payload, ['customPartitionKey', 'populateIndexFields', '_version']);
  }

  function readOptions(request, payload) {
    assign(request, payload, ['index', 'nextToken', 'limit', 'scanIndexForward', 'consistentRead', 'select',
      'segment', 'totalSegments']);
    if (payload.filter) request.filter = conditionOf(payload.filter);
    var projection = projectionOf(payload.projection);
    if (projection) request.projection = projection;
    return request;
  }

  return {
    get: function (p) {
      var request = assign({ operation: 'GetItem', key: mapValues(p.key) }, p, ['consistentRead']);
      var projection = projectionOf(p.projection);
      if (projection) request.projection = projection;
      return request;
    },
    put: function (p) {
      return withCommon({ operation: 'PutItem', key: mapValues(p.key), attributeValues: mapValues(p.item) }, p);
    },
    remove: function (p) { return withCommon({ operation: 'DeleteItem', key: mapValues(p.key) }, p); },
    update: function (p) {
      return withCommon({ operation: 'UpdateItem', key: mapValues(p.key), update: updateExpressionOf(p.update) }, p);
    },
    query: function (p) { return readOptions({ operation: 'Query', query: keyConditionOf(p.query) }, p); },
    scan: function (p) { return readOptions({ operation: 'Scan' }, p || {}); },
    sync: function (p) {
      var request = assign({ operation: 'Sync' }, p, ['basePartitionKey', 'deltaIndexName', 'limit', 'nextToken', 'lastSync']);
      if (p.filter) request.filter = conditionOf(p.filter);
      return request;
    },
    batchGet: function (p) {
      var tables = {};
      Object.keys(p.tables).forEach(function (t) {
        var spec = p.tables[t];
        var entry = assign({ keys: spec.keys.map(mapValues) }, spec, ['consistentRead']);
        var projection = projectionOf(spec.projection);
        if (projection) entry.projection = projection;
        tables[t] = entry;
      });
      return { operation: 'BatchGetItem', tables: tables };
    },
    batchPut: function (p) {
      var tables = {};
      Object.keys(p.tables).forEach(function (t) { tables[t] = p.tables[t].map(mapValues); });
      return { operation: 'BatchPutItem', tables: tables };
    },
    batchDelete: function (p) {
      var tables = {};
      Object.keys(p.tables).forEach(function (t) { tables[t] = p.tables[t].map(mapValues); });
      return { operation: 'BatchDeleteItem', tables: tables };
    },
    transactGet: function (p) {
      return {
        operation: 'TransactGetItems',
        transactItems: p.items.map(function (i) {
          var item = { table: i.table, key: mapValues(i.key) };
          var projection = projectionOf(i.projection);
          if (projection) item.projection = projection;
          return item;
        }),
      };
    },
    transactWrite: function (p) {
      return {
        operation: 'TransactWriteItems',
        transactItems: p.items.map(function (i) {
          var op;
          if (i.putItem) {
            op = { table: i.putItem.table, operation: 'PutItem', key: mapValues(i.putItem.key),
              attributeValues: mapValues(i.putItem.item) };
            return withCommon(op, i.putItem);
          }
          if (i.updateItem) {
            op = { table: i.updateItem.table, operation: 'UpdateItem', key: mapValues(i.updateItem.key),
              update: updateExpressionOf(i.updateItem.update) };
            return withCommon(op, i.updateItem);
          }
          if (i.deleteItem) {
            return withCommon({ table: i.deleteItem.table, operation: 'DeleteItem', key: mapValues(i.deleteItem.key) }, i.deleteItem);
          }
          return withCommon({ table: i.conditionCheck.table, operation: 'ConditionCheck', key: mapValues(i.conditionCheck.key) },
            i.conditionCheck);
        }),
      };
    },
    toStringSet: function (list) { return { SS: list }; },
    toNumberSet: function (list) { return { NS: list }; },
    toBinarySet: function (list) { return { BS: list }; },
    operations: operations,
  };
})();
