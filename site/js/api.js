// What every page of the site shares: its config (config.json, written at deploy with the API's URL, the
// public API key and the user pool's client), GraphQL over HTTP, AppSync's realtime protocol, and
// Cognito's InitiateAuth for signing in.

let config;

export async function loadConfig() {
  if (!config) {
    const response = await fetch("config.json", { cache: "no-cache" });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    config = await response.json();
  }
  return config;
}

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.errorType = errors[0]?.errorType;
  }
}

// `token` signs the request in (Cognito user pools); without it the public API key is used.
export async function graphql(query, variables = {}, token = null) {
  const { graphqlUrl, apiKey } = await loadConfig();
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = token;
  else headers["x-api-key"] = apiKey;
  const response = await fetch(graphqlUrl, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors?.length) throw new GraphQLError(body.errors);
  if (!response.ok) throw new GraphQLError([{ message: body.message ?? `HTTP ${response.status}`, errorType: body.errorType }]);
  return body.data;
}

function base64url(value) {
  return btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

// Subscribes with the API key over AppSync's realtime WebSocket protocol; `onData` gets each event's data.
export async function subscribe(query, variables, onData, onState = () => {}) {
  const { graphqlUrl, realtimeUrl, apiKey } = await loadConfig();
  const authorization = { host: new URL(graphqlUrl).host, "x-api-key": apiKey };
  const socket = new WebSocket(realtimeUrl, ["graphql-ws", `header-${base64url(authorization)}`]);
  const id = crypto.randomUUID();
  socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      const data = JSON.stringify({ query, variables });
      socket.send(JSON.stringify({ id, type: "start", payload: { data, extensions: { authorization } } }));
    } else if (message.type === "start_ack") {
      onState("live");
    } else if (message.type === "data" && message.id === id) {
      onData(message.payload.data);
    } else if (message.type === "error" || message.type === "connection_error") {
      onState("error", message.payload?.errors?.[0]?.message ?? "subscription refused");
    }
  });
  socket.addEventListener("close", () => onState("closed"));
  return () => socket.close();
}

// Cognito's InitiateAuth (USER_PASSWORD_AUTH): the id token, which AppSync takes as the authorization header.
export async function signIn(username, password) {
  const { userPoolEndpoint, userPoolClientId } = await loadConfig();
  const response = await fetch(userPoolEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: userPoolClientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message ?? body.__type ?? `HTTP ${response.status}`);
  return body.AuthenticationResult.IdToken;
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}
