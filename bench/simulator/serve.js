// amplify-appsync-simulator serving the app's schema.graphql with one VTL resolver, Query.listTodos, on a
// DynamoDB data source: the peer that bench/listtodos.py measures the local runtime against.
//
// Environment: SCHEMA_PATH, DYNAMODB_ENDPOINT, TODOS_TABLE, AWS_REGION. Prints {"port": N} once it listens
// on 127.0.0.1 (a free port), and stops on SIGTERM/SIGINT.
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
const endpoint = required('DYNAMODB_ENDPOINT');
const tableName = required('TODOS_TABLE');
const region = process.env.AWS_REGION || 'us-east-1';
const template = name => ({ path: name, content: fs.readFileSync(path.join(__dirname, name), 'utf8') });

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
  dataSources: [
    {
      name: 'TodosTable',
      type: 'AMAZON_DYNAMODB',
      config: { endpoint, region, tableName, accessKeyId: 'local', secretAccessKey: 'local' },
    },
  ],
  mappingTemplates: [template('listTodos.request.vtl'), template('listTodos.response.vtl')],
  resolvers: [
    {
      kind: 'UNIT',
      typeName: 'Query',
      fieldName: 'listTodos',
      dataSourceName: 'TodosTable',
      requestMappingTemplateLocation: 'listTodos.request.vtl',
      responseMappingTemplateLocation: 'listTodos.response.vtl',
    },
  ],
});

// simulator.start() listens on every interface on a port from 8900-9999 and also starts its MQTT and
// realtime servers; the benchmark needs only the HTTP server, on loopback, on a free port. This is the same
// http.Server (and Express app) that start() would listen with.
const httpServer = simulator._server._httpServer;
httpServer.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: httpServer.address().port }) + '\n');
});

function stop() {
  httpServer.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
