// Every bound of the data model in one place (TigerBeetle's habit: a limit on everything).
export const LIMITS = {
  maxTxBytes: 256 * 1024,
  maxCodeBytes: 192 * 1024,
  maxArgBytes: 64 * 1024,
  maxMethodLength: 64,
  maxNonceLength: 64,
  maxProofsPerTx: 64,
  maxCertBytes: 4096,
  maxTxsPerBlock: 2000,
  maxBlockBytes: 16 * 1024 * 1024,
  maxShardMembers: 64,
  maxOrgNameLength: 64,
  maxPeerIdLength: 128,
  maxErrorMessageLength: 1024,
  maxCallsPerTx: 64,
  maxResultBytes: 64 * 1024,
} as const
