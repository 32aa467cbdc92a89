// Loads an APPSYNC_JS file (a resolver's esbuild bundle) as AppSync does: parse it as an ES module (acorn),
// reject what the APPSYNC_JS runtime rejects, then rewrite its imports and exports (from the AST's positions,
// keeping every line where it was) into a function that takes an import resolver and returns the module's
// exports. Positions are the bundle's; Python maps them back to the source files through the source map.
'use strict';

var __appsyncLoader = (function () {
  var MODULES = ['@aws-appsync/utils', '@aws-appsync/utils/dynamodb'];

  // Each rule: [id, message]; ids follow @aws-appsync/eslint-plugin where it has one.
  function ruleOf(node) {
    switch (node.type) {
      case 'TryStatement': return ['no-try', 'try/catch/finally statements are not supported'];
      case 'ThrowStatement': return ['no-throw', 'throw statements are not supported (use util.error)'];
      case 'WhileStatement': return ['no-while', 'while statements are not supported'];
      case 'DoWhileStatement': return ['no-while', 'do...while statements are not supported'];
      case 'ForStatement': return ['no-for', 'for(;;) statements are not supported (use for-of or for-in)'];
      case 'ContinueStatement': return ['no-continue', 'continue statements are not supported'];
      case 'LabeledStatement': return ['no-labels', 'labeled statements are not supported'];
      case 'ClassDeclaration': case 'ClassExpression': return ['no-classes', 'classes are not supported'];
      case 'ThisExpression': return ['no-this', 'this is not supported'];
      case 'AwaitExpression': return ['no-await', 'await is not supported'];
      case 'YieldExpression': return ['no-yield', 'yield is not supported'];
      case 'UpdateExpression':
        return ['no-disallowed-unary-operators', 'the ' + node.operator + ' operator is not supported'];
      case 'UnaryExpression':
        if (node.operator === '~') return ['no-disallowed-unary-operators', 'the ~ operator is not supported'];
        return null;
      case 'BinaryExpression':
        if (node.operator === 'in') return ['no-in-operator', 'the in operator is not supported (use Object.hasOwn)'];
        if (node.operator === 'instanceof') return ['no-disallowed-binary-operators', 'the instanceof operator is not supported'];
        return null;
      case 'Literal':
        if (node.regex) return ['no-regex', 'regular expression literals are not supported'];
        return null;
      case 'NewExpression':
        if (node.callee.type === 'Identifier' && node.callee.name === 'Promise') return ['no-promise', 'promises are not supported'];
        return null;
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
        if (node.async) return ['no-async', 'async functions are not supported'];
        if (node.generator) return ['no-generators', 'generator functions are not supported'];
        return null;
      case 'ImportExpression': return ['no-dynamic-import', 'import() is not supported'];
      case 'ImportDeclaration':
        if (MODULES.indexOf(node.source.value) < 0) {
          return ['unsupported-import', "cannot import '" + node.source.value + "': APPSYNC_JS code imports only " +
            MODULES.join(' and ') + ", and by relative path the files bundled with it (e.g. '../lib/x.js')"];
        }
        return null;
    }
    return null;
  }

  function walk(node, visit) {
    if (!node || typeof node.type !== 'string') return;
    visit(node);
    for (var key in node) {
      if (key === 'loc' || key === 'start' || key === 'end') continue;
      var child = node[key];
      if (Array.isArray(child)) {
        for (var i = 0; i < child.length; i += 1) walk(child[i], visit);
      } else if (child && typeof child.type === 'string') {
        walk(child, visit);
      }
    }
  }

  function newlines(text) {
    var count = 0;
    for (var i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 10) count += 1;
    return new Array(count + 1).join('\n');
  }

  function bindingsOf(declaration) {
    if (declaration.type === 'VariableDeclaration') {
      var names = [];
      declaration.declarations.forEach(function (d) {
        walkPattern(d.id, names);
      });
      return names;
    }
    return declaration.id ? [declaration.id.name] : [];
  }

  function walkPattern(pattern, names) {
    if (!pattern) return;
    switch (pattern.type) {
      case 'Identifier': names.push(pattern.name); break;
      case 'ObjectPattern': pattern.properties.forEach(function (p) { walkPattern(p.type === 'RestElement' ? p.argument : p.value, names); }); break;
      case 'ArrayPattern': pattern.elements.forEach(function (e) { walkPattern(e, names); }); break;
      case 'RestElement': walkPattern(pattern.argument, names); break;
      case 'AssignmentPattern': walkPattern(pattern.left, names); break;
    }
  }

  function importCode(node) {
    var src = JSON.stringify(node.source.value);
    var parts = [];
    var named = [];
    node.specifiers.forEach(function (s) {
      if (s.type === 'ImportNamespaceSpecifier') {
        parts.push('const ' + s.local.name + ' = __appsync_import(' + src + ');');
      } else if (s.type === 'ImportDefaultSpecifier') {
        parts.push('const ' + s.local.name + ' = __appsync_import(' + src + ').default;');
      } else {
        var imported = s.imported.type === 'Identifier' ? s.imported.name : s.imported.value;
        named.push(JSON.stringify(imported) + ': ' + s.local.name);
      }
    });
    if (named.length) parts.push('const {' + named.join(', ') + '} = __appsync_import(' + src + ');');
    return parts.join(' ');
  }

  // Returns {code} (a function expression's source) or {error: {line, column, rule, message}}.
  function compile(source) {
    var ast;
    try {
      ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
    } catch (e) {
      var loc = e.loc || { line: 0, column: 0 };
      return { error: { line: loc.line, column: loc.column, rule: 'syntax-error', message: String(e.message) } };
    }
    var problem = null;
    walk(ast, function (node) {
      if (problem) return;
      var rule = ruleOf(node);
      if (rule) problem = { line: node.loc.start.line, column: node.loc.start.column, rule: rule[0], message: rule[1] };
    });
    if (problem) return { error: problem };

    var edits = [];  // [start, end, replacement]
    var exported = [];  // [exported name, local name]
    var imports = [];  // hoisted above the module's code, as ES module imports are
    ast.body.forEach(function (node) {
      var text = source.slice(node.start, node.end);
      if (node.type === 'ImportDeclaration') {
        imports.push(importCode(node));
        edits.push([node.start, node.end, newlines(text)]);
      } else if (node.type === 'ExportNamedDeclaration') {
        if (node.source) {
          problem = problem || { line: node.loc.start.line, column: node.loc.start.column, rule: 'unsupported-import',
            message: 'export ... from is not supported' };
        } else if (node.declaration) {
          edits.push([node.start, node.declaration.start, '']);
          bindingsOf(node.declaration).forEach(function (name) { exported.push([name, name]); });
        } else {
          node.specifiers.forEach(function (s) {
            var name = s.exported.type === 'Identifier' ? s.exported.name : s.exported.value;
            exported.push([name, s.local.name]);
          });
          edits.push([node.start, node.end, newlines(text)]);
        }
      } else if (node.type === 'ExportDefaultDeclaration') {
        var d = node.declaration;
        if ((d.type === 'FunctionDeclaration') && d.id) {
          edits.push([node.start, d.start, '']);
          exported.push(['default', d.id.name]);
        } else {
          edits.push([node.start, d.start, 'const __appsync_default = ']);
          exported.push(['default', '__appsync_default']);
        }
      } else if (node.type === 'ExportAllDeclaration') {
        problem = problem || { line: node.loc.start.line, column: node.loc.start.column, rule: 'unsupported-import',
          message: 'export * from is not supported' };
      }
    });
    if (problem) return { error: problem };
    ['request', 'response'].forEach(function (handler) {
      var found = exported.some(function (pair) { return pair[0] === handler; });
      if (!found && !problem) {
        var last = ast.loc.end;
        problem = { line: last.line, column: last.column, rule: 'missing-handler',
          message: 'an APPSYNC_JS file exports both request(ctx) and response(ctx); ' + handler + ' is missing' };
      }
    });
    if (problem) return { error: problem };

    var out = '';
    var at = 0;
    edits.sort(function (a, b) { return a[0] - b[0]; });
    edits.forEach(function (e) {
      out += source.slice(at, e[0]) + e[2];
      at = e[1];
    });
    out += source.slice(at);
    var exports = exported.map(function (pair) { return JSON.stringify(pair[0]) + ': ' + pair[1]; }).join(', ');
    // The header, imports included, stays on line 1 so that the file's line numbers are the code's line
    // numbers (a bundle's line 1 is esbuild's comment naming the entry file).
    var code = '(function (__appsync_import) { "use strict"; ' + imports.join(' ') + ' ' + out +
      '\n;return {' + exports + '};\n})';
    return { code: code };
  }

  return { compile: compile };
})();
