// kinesalite (a local Kinesis Data Streams) on loopback only, started by local_aws/kinesis_local.py.
//
// Usage: node kinesalite.js '{"path": "/abs/dir" | null, "host": "127.0.0.1", "port": 0, "shardLimit": 500}'
// Prints one JSON line, {"port": <port>}, once it listens. kinesalite's own cli.js listens on every
// interface; this one binds the given host. It stops when its stdin closes (the runtime died, however it
// died) or on SIGTERM/SIGINT, closing the LevelDB store first so nothing written is lost.
'use strict'

const kinesalite = require('kinesalite')

const options = JSON.parse(process.argv[2] || '{}')
const store = {
  // Streams are ACTIVE at once: the runtime provisions them at start-up and should not wait.
  createStreamMs: 0,
  deleteStreamMs: 0,
  updateStreamMs: 0,
  shardLimit: options.shardLimit || 500,
}
if (options.path) store.path = options.path // omitted: kept in memory

const server = kinesalite(store)
let stopping = false

function stop(code) {
  if (stopping) return
  stopping = true
  // Idle keep-alive connections would hold close() open; the store is closed before the server.
  if (typeof server.closeAllConnections === 'function') server.closeAllConnections()
  server.close(() => process.exit(code))
  setTimeout(() => process.exit(code), 3000).unref()
}

server.on('error', (err) => {
  process.stderr.write(`kinesalite: ${err.message}\n`)
  process.exit(1)
})
server.listen(options.port || 0, options.host || '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})

process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
process.stdin.on('end', () => stop(0))
process.stdin.on('error', () => stop(0))
process.stdin.resume()
