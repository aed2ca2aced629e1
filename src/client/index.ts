// betasco/client: the SDK of the CLI, the web app and applications (DESIGN §7).
export { BetascoClient } from './client.ts'
export type { ClientOptions, Consensus, ContractInfo, DeployOptions, NodeEventMessage, NodeStatus, TxStatus, WaitOptions } from './client.ts'
export { envelopeFromJson, envelopeToJson, toJsonValue } from './wire.ts'
export { localNodeEvents, localNodeFetch } from './local.ts'
export type { EnvelopeJson, ProofJson } from './wire.ts'
// identities: load (parseIdentity), save (identityToJson), create (issueIdentity with an
// organization's CA, as `betasco network init` does), and the network they belong to
export { caToJson, identityId, identityToJson, issueIdentity, networkId, parseCa, parseGenesis, parseIdentity, signEnvelope } from '../crypto/index.ts'
export type { CaKey, Genesis, Identity } from '../crypto/index.ts'
export { txId, contractIdFor } from '../core/transaction.ts'
export type { Envelope, TxBody } from '../core/transaction.ts'
