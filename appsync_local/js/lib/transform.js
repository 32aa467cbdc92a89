// util.transform: filter objects ({field: {op: value}}, and/or/not) to DynamoDB expressions and to
// subscription filters. Shared by util.transform and the @aws-appsync/utils/dynamodb helpers.
'use strict';

function __appsyncExpressionBuilder(toDynamoDB) {
  // Collects names and values for one expression; placeholders are #<name> and :<name>_<op>.
  function Builder() {
    this.names = {};
    this.values = {};
  }
  Builder.prototype.name = function (path) {
    var self = this;
    return String(path).split('.').map(function (part) {
      var match = /^([^\[]*)((\[\d+\])*)$/.exec(part);
      var base = match ? match[1] : part;
      // One placeholder per attribute name: `name-en` and `name_en` (or two non-ASCII names) make the same
      // stem, so a later name takes the stem with a suffix rather than replacing the earlier one.
      var stem = '#' + base.replace(/[^A-Za-z0-9_]/g, '_');
      var placeholder = stem;
      var n = 1;
      while (Object.prototype.hasOwnProperty.call(self.names, placeholder) && self.names[placeholder] !== base) {
        placeholder = stem + '_' + n;
        n += 1;
      }
      self.names[placeholder] = base;
      return placeholder + (match ? match[2] : '');
    }).join('.');
  };
  Builder.prototype.value = function (label, value) {
    var placeholder = ':' + String(label).replace(/[^A-Za-z0-9_]/g, '_');
    var candidate = placeholder;
    var n = 1;
    while (Object.prototype.hasOwnProperty.call(this.values, candidate)) {
      candidate = placeholder + '_' + n;
      n += 1;
    }
    this.values[candidate] = value && value.__appsync_typed ? value.typed : toDynamoDB(value);
    return candidate;
  };
  Builder.prototype.result = function (expression) {
    var out = { expression: expression };
    if (Object.keys(this.names).length) out.expressionNames = this.names;
    if (Object.keys(this.values).length) out.expressionValues = this.values;
    return out;
  };
  return Builder;
}

function __appsyncTransform(toDynamoDB) {
  var Builder = __appsyncExpressionBuilder(toDynamoDB);
  var COMPARE = { eq: '=', ne: '<>', le: '<=', lt: '<', ge: '>=', gt: '>' };

  function condition(builder, field, op, operand) {
    var name = builder.name(field);
    var label = field + '_' + op;
    if (COMPARE[op]) return name + ' ' + COMPARE[op] + ' ' + builder.value(label, operand);
    switch (op) {
      case 'contains': return 'contains(' + name + ',' + builder.value(label, operand) + ')';
      case 'notContains': return 'NOT contains(' + name + ',' + builder.value(label, operand) + ')';
      case 'beginsWith': return 'begins_with(' + name + ',' + builder.value(label, operand) + ')';
      case 'between':
        return name + ' BETWEEN ' + builder.value(label + '_0', operand[0]) + ' AND ' + builder.value(label + '_1', operand[1]);
      case 'in':
        return name + ' IN (' + operand.map(function (v, i) { return builder.value(label + '_' + i, v); }).join(', ') + ')';
      case 'attributeExists':
        return (operand ? 'attribute_exists(' : 'attribute_not_exists(') + name + ')';
      case 'attributeType': return 'attribute_type(' + name + ',' + builder.value(label, operand) + ')';
      case 'size': return null;
    }
    util.error('Unsupported filter operator ' + op + ' on ' + field, 'InvalidFilter');
  }

  function expression(builder, filter) {
    var parts = [];
    Object.keys(filter || {}).forEach(function (key) {
      var operand = filter[key];
      if (operand === undefined) return;
      if (key === 'and' || key === 'or') {
        var subs = operand.map(function (f) { return expression(builder, f); }).filter(Boolean);
        if (subs.length) parts.push('(' + subs.join(key === 'and' ? ' AND ' : ' OR ') + ')');
      } else if (key === 'not') {
        var sub = expression(builder, operand);
        if (sub) parts.push('(NOT ' + sub + ')');
      } else {
        Object.keys(operand || {}).forEach(function (op) {
          if (op === 'size') {
            var size = operand.size;
            Object.keys(size).forEach(function (sop) {
              parts.push('size(' + builder.name(key) + ') ' + COMPARE[sop] + ' ' + builder.value(key + '_size_' + sop, size[sop]));
            });
            return;
          }
          parts.push(condition(builder, key, op, operand[op]));
        });
      }
    });
    // AppSync parenthesizes every comparison, even a lone one: (begins_with(#title,:title_beginsWith))
    return parts.map(function (p) { return p.charAt(0) === '(' ? p : '(' + p + ')'; }).join(' AND ');
  }

  function toExpressionObject(filter) {
    var builder = new Builder();
    return builder.result(expression(builder, filter));
  }

  var SUBSCRIPTION_OPS = ['eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'beginsWith', 'in',
    'notIn', 'between', 'attributeExists', 'containsAny'];

  // A filter object as alternatives (AppSync's filterGroup: any group, all filters of a group): the conditions
  // on one field are alternatives, `and` crosses its members' alternatives, `or` joins them, and the object's
  // entries cross each other, so `{ownerId: {eq: 'u1'}, or: [...]}` keeps ownerId in every group.
  function alternativesOf(filter, ignored) {
    var groups = [[]];
    Object.keys(filter || {}).forEach(function (key) {
      if (key === 'and') {
        (filter.and || []).forEach(function (f) { groups = crossed(groups, alternativesOf(f, ignored)); });
        return;
      }
      if (key === 'or') {
        var either = [];
        (filter.or || []).forEach(function (f) {
          either = either.concat(alternativesOf(f, ignored).filter(function (g) { return g.length > 0; }));
        });
        if (either.length > 0) groups = crossed(groups, either);
        return;
      }
      if (ignored.indexOf(key) >= 0) return;
      var conditions = conditionsOf(key, filter[key]);
      if (conditions.length > 0) groups = crossed(groups, conditions.map(function (c) { return [c]; }));
    });
    return groups;
  }

  function conditionsOf(field, operators) {
    return Object.keys(operators || {}).map(function (op) {
      if (SUBSCRIPTION_OPS.indexOf(op) < 0) util.error('Unsupported subscription filter operator ' + op, 'InvalidFilter');
      return { fieldName: field, operator: op, value: operators[op] };
    });
  }

  // Every group of `left` with every group of `right`. AppSync takes at most MAX_FILTER_GROUPS groups: a filter
  // that would make more is refused here, before a few alternatives per field multiply into millions.
  var MAX_FILTER_GROUPS = 10;
  function crossed(left, right) {
    if (left.length * right.length > MAX_FILTER_GROUPS) {
      util.error('Filters exceed maximum filter groups limit ' + MAX_FILTER_GROUPS + ' for subscription.',
        'BadRequestException');
    }
    var out = [];
    left.forEach(function (l) { right.forEach(function (r) { out.push(l.concat(r)); }); });
    return out;
  }

  return {
    toDynamoDBFilterExpression: function (filter) { return JSON.stringify(toExpressionObject(filter)); },
    toDynamoDBConditionExpression: function (condition) { return JSON.stringify(toExpressionObject(condition)); },
    // `rules`: strict conditions of which every group must meet one (each rule is an alternative).
    toSubscriptionFilter: function (filter, ignoredFields, rules) {
      var groups = alternativesOf(filter, ignoredFields || []);
      var strict = [];
      Object.keys(rules || {}).forEach(function (field) { strict = strict.concat(conditionsOf(field, rules[field])); });
      if (strict.length > 0) groups = crossed(groups, strict.map(function (c) { return [c]; }));
      return {
        filterGroup: groups
          .filter(function (g) { return g.length > 0; })
          .map(function (g) { return { filters: g }; }),
      };
    },
    // For the dynamodb module: the expression object itself, sharing placeholder logic.
    __expression: toExpressionObject,
    __Builder: Builder,
    __conditionOf: function (builder, filter) { return expression(builder, filter); },
  };
}
