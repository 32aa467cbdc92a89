// amplify-appsync-simulator serving the app's schema.graphql with the VTL resolvers one app file describes:
// the peer that the bench scripts measure the local runtime against.
//
// Environment:
//   SCHEMA_PATH        the app's schema.graphql
//   SIMULATOR_APP      a JSON file: {"dataSources": [{"name", "table"}],
//                      "resolvers": [{"typeName", "fieldName", "dataSourceName", "request", "response"}]}
//                      (request/response name .vtl files next to it)
//   DYNAMODB_ENDPOINT  where every DynamoDB data source points (DynamoDB Local)
//   AWS_REGION         defaults to us-east-1
//   REALTIME=1         also serve the simulator's AppSync realtime WebSocket (graphql-ws) on /graphql
// Prints {"port": N} once it listens on 127.0.0.1 (a free port); on SIGUSR2 prints {"calls": {source: N}},
// the requests each data source has run so far; stops on SIGTERM/SIGINT.
'use strict';

const fs = require('fs');
const path = require('path');
const { AmplifyAppSyncSimulator } = require('amplify-appsync-simulator');

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`serve.js: the environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const schemaPath = required('SCHEMA_PATH');
const appPath = required('SIMULATOR_APP');
const endpoint = required('DYNAMODB_ENDPOINT');
const region = process.env.AWS_REGION || 'us-east-1';
const app = JSON.parse(fs.readFileSync(appPath, 'utf8'));
const appDir = path.dirname(appPath);
const template = name => ({ path: name, content: fs.readFileSync(path.join(appDir, name), 'utf8') });

const templates = new Set();
for (const resolver of app.resolvers) {
  templates.add(resolver.request);
  templates.add(resolver.response);
}

const simulator = new AmplifyAppSyncSimulator({ port: 0, wsPort: 0 });
simulator.init({
  // The simulator adds the AWS scalars and the @aws_* directive definitions itself, as AppSync does.
  schema: { path: 'schema.graphql', content: fs.readFileSync(schemaPath, 'utf8') },
  appSync: {
    name: 'appsync-python-backend-bench',
    defaultAuthenticationType: { authenticationType: 'AMAZON_COGNITO_USER_POOLS', cognitoUserPoolConfig: {} },
    additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
    apiKey: 'da2-bench',
  },
  dataSources: app.dataSources.map(source => ({
    name: source.name,
    type: 'AMAZON_DYNAMODB',
    config: { endpoint, region, tableName: source.table, accessKeyId: 'local', secretAccessKey: 'local' },
  })),
  mappingTemplates: [...templates].map(template),
  resolvers: app.resolvers.map(resolver => ({
    kind: 'UNIT',
    typeName: resolver.typeName,
    fieldName: resolver.fieldName,
    dataSourceName: resolver.dataSourceName,
    requestMappingTemplateLocation: resolver.request,
    responseMappingTemplateLocation: resolver.response,
  })),
});

// Count every request a data source runs (the simulator has no DataLoader batching: each resolver call is one).
const calls = {};
for (const [name, loader] of simulator.dataSources) {
  calls[name] = 0;
  const load = loader.load.bind(loader);
  loader.load = (...args) => {
    calls[name] += 1;
    return load(...args);
  };
}
process.on('SIGUSR2', () => process.stdout.write(JSON.stringify({ calls }) + '\n'));

// simulator.start() listens on every interface on a port from 8900-9999 and also starts its MQTT server;
// the benchmark needs the HTTP server (and, for REALTIME=1, the realtime WebSocket server attached to it)
// on loopback, on a free port. This is the same http.Server (and Express app) that start() would listen with.
const server = simulator._server;
if (process.env.REALTIME === '1') {
  server._realTimeSubscriptionServer.start();
}
const httpServer = server._httpServer;
httpServer.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: httpServer.address().port }) + '\n');
});

function stop() {
  httpServer.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
