// The OpenAPI 3.1 description of a node's API (DESIGN §7), served at /v1/openapi.json.
// Kept in code so the served document and the handlers ship together; test/host checks that
// every path here answers and every answer matches its documented status codes.
const error = { $ref: '#/components/responses/Error' }
const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' }
const json = (schema: unknown): unknown => ({ content: { 'application/json': { schema } } })
const errors = { 400: error, 401: error, 403: error, 413: error, 415: error }

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'BETASCO node API', version: '1.0.0', description: 'HTTP + WebSocket API of one BETASCO peer. JSON; binary fields are base64. Errors: `{ error: { code, message } }` with a 4xx for bad input; nothing is stored from it.' },
  paths: {
    '/v1/contracts': {
      post: {
        summary: 'Deploy a contract: a signed deploy transaction',
        parameters: [{ $ref: '#/components/parameters/wait' }, { $ref: '#/components/parameters/timeoutMs' }],
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/Envelope' }) as object },
        responses: { 200: { description: 'committed or failed (with ?wait=1)', ...json({ $ref: '#/components/schemas/TxStatus' }) as object }, 202: { description: 'admitted, pending', ...json({ $ref: '#/components/schemas/TxStatus' }) as object }, ...errors }
      }
    },
    '/v1/tx': {
      post: {
        summary: 'Submit a signed invoke transaction (idempotent: the tx ID is the hash of the body). 404 NOT_FOUND when this peer is not a member and no peer asked hosts the contract',
        parameters: [{ $ref: '#/components/parameters/wait' }, { $ref: '#/components/parameters/timeoutMs' }],
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/Envelope' }) as object },
        responses: { 200: { description: 'committed or failed (with ?wait=1)', ...json({ $ref: '#/components/schemas/TxStatus' }) as object }, 202: { description: 'admitted, pending', ...json({ $ref: '#/components/schemas/TxStatus' }) as object }, ...errors }
      }
    },
    '/v1/tx/{id}': {
      get: {
        summary: 'A transaction\'s receipt: pending, committed or failed',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: hex64 },
          { name: 'contract', in: 'query', schema: hex64, description: 'the tx\'s contract, to ask its shard when the tx was not submitted here (without it the node asks its peers which shard holds the receipt)' },
          { name: 'waitMs', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 120000 } }
        ],
        responses: { 200: json({ $ref: '#/components/schemas/TxStatus' }), 400: error, 404: error }
      }
    },
    '/v1/contracts/{id}': {
      get: {
        summary: 'Contract info: shard members, consensus, height. A member answers itself; any other peer asks the shard (1, or f + 1 matching answers under PBFT) and says so (hostedHere false, answeredBy); 404 when no peer asked hosts it, 504 when too few members answered alike',
        parameters: [{ name: 'id', in: 'path', required: true, schema: hex64 }],
        responses: { 200: json({ type: 'object', required: ['contract', 'consensus', 'members', 'height', 'hostedHere'] }), 400: error, 404: error, 504: error }
      }
    },
    '/v1/contracts/{id}/blocks/{height}': {
      get: {
        summary: 'A committed block of a contract\'s shard',
        parameters: [{ name: 'id', in: 'path', required: true, schema: hex64 }, { name: 'height', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
        responses: { 200: json({ type: 'object', required: ['contract', 'height', 'hash', 'header', 'txs'] }), 400: error, 404: error }
      }
    },
    '/v1/status': { get: { summary: 'Peer ID, network, peers, shards hosted, counters', responses: { 200: json({ type: 'object', required: ['peerId', 'network', 'peers', 'shards'] }) } } },
    '/v1/metrics': { get: { summary: 'Prometheus text: txs received/forwarded/committed/failed, blocks, shards, peers, latency histograms', responses: { 200: { description: 'text/plain; version=0.0.4' } } } },
    '/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/v1/events': {
      get: {
        summary: 'WebSocket: a JSON text message per event: hello, block, receipt, shard, notice, peer (membership). ?types=block,receipt filters.',
        parameters: [{ name: 'types', in: 'query', schema: { type: 'string' } }],
        responses: { 101: { description: 'Switching Protocols' }, 426: error }
      }
    }
  },
  components: {
    parameters: {
      wait: { name: 'wait', in: 'query', schema: { enum: ['0', '1'] }, description: '1: answer once enough members (1 Raft, f+1 PBFT) report the same receipt' },
      timeoutMs: { name: 'timeoutMs', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 120000 } }
    },
    responses: {
      Error: { description: 'Bad input or refusal', ...json({ type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } }) as object }
    },
    schemas: {
      Envelope: {
        type: 'object',
        additionalProperties: false,
        required: ['tx', 'proofs'],
        properties: {
          tx: { $ref: '#/components/schemas/TxBody' },
          proofs: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'object', additionalProperties: false, required: ['cert', 'sig'], properties: { cert: { type: 'string', contentEncoding: 'base64' }, sig: { type: 'string', contentEncoding: 'base64' } } } }
        }
      },
      TxBody: {
        type: 'object',
        additionalProperties: false,
        required: ['v', 'network', 'kind', 'contract', 'method', 'arg', 'nonce', 'from'],
        properties: {
          v: { const: 1 },
          network: hex64,
          kind: { enum: ['deploy', 'invoke'] },
          contract: hex64,
          method: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$', maxLength: 64 },
          arg: { description: 'any JSON value, at most 64 KiB encoded' },
          nonce: { type: 'string', maxLength: 64 },
          from: hex64,
          deploy: {
            type: 'object',
            additionalProperties: false,
            required: ['code', 'shardSize', 'consensus', 'gasLimit', 'checkpointInterval'],
            properties: { code: { type: 'string', maxLength: 196608 }, shardSize: { type: 'integer', minimum: 1, maximum: 64 }, consensus: { enum: ['solo', 'raft', 'pbft'] }, gasLimit: { type: 'integer', minimum: 1 }, checkpointInterval: { type: 'integer', minimum: 1 } }
          }
        }
      },
      TxStatus: {
        type: 'object',
        required: ['txId', 'contract', 'status'],
        properties: {
          txId: hex64, contract: hex64, status: { enum: ['pending', 'committed', 'failed'] },
          result: {}, error: { type: ['object', 'null'] }, block: { type: 'integer' }, matching: { type: 'integer' }, needed: { type: 'integer' }, receipt: { type: 'object' }
        }
      }
    }
  }
} as const
