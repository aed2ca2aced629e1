// LevelDB's write-ahead log, as the crash tests tamper with it (Node only: the page bundle must
// not import this). Format: 32 KiB blocks of records, each a 7-byte header (crc32c, length,
// type) and its payload.
import { appendFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** The newest write-ahead log (NNNNNN.log) of the LevelDB in `dir`. */
export async function newestLog (dir: string): Promise<string> {
  const logs = (await readdir(dir)).filter((f) => /^\d+\.log$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b))
  if (logs.length === 0) throw new Error(`no .log file in ${dir}`)
  return join(dir, logs.at(-1)!)
}

/**
 * Appends what a SIGKILL between LevelDB's two writes of one log record (header, then payload)
 * leaves: the 7-byte header (crc32c, length, type) of a 1000-byte FULL record with no payload.
 * At a record boundary: a zero trailer first when the 32 KiB block has no room for the record,
 * as LevelDB's own writer would do.
 */
export async function appendTornHeader (file: string): Promise<void> {
  const BLOCK = 32 * 1024
  const length = 1000
  const used = (await stat(file)).size % BLOCK
  if (BLOCK - used < 7 + length) await appendFile(file, new Uint8Array(BLOCK - used))
  const header = new Uint8Array(7)
  header.set([0xde, 0xad, 0xbe, 0xef]) // the checksum of a payload that never reached the file
  header[4] = length & 0xff
  header[5] = length >> 8
  header[6] = 1 // FULL
  await appendFile(file, header)
}
