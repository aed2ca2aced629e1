// betasco/client: the SDK of the CLI, the web app and applications (DESIGN §7).
export { BetascoClient } from './client.ts'
export type { ClientOptions, Consensus, ContractInfo, DeployOptions, NodeEventMessage, NodeStatus, TxStatus, WaitOptions } from './client.ts'
export { envelopeFromJson, envelopeToJson, toJsonValue } from './wire.ts'
export type { EnvelopeJson, ProofJson } from './wire.ts'
export { identityId, identityToJson, parseGenesis, parseIdentity, signEnvelope } from '../crypto/index.ts'
export type { Genesis, Identity } from '../crypto/index.ts'
export { txId, contractIdFor } from '../core/transaction.ts'
export type { Envelope, TxBody } from '../core/transaction.ts'
