// The OpenAPI document kept in the repo (node-host/openapi.json) is the one the API serves
// (node-host/openapi.ts); regenerate the file when the code changes:
//   node -e "import('./node-host/openapi.ts').then(m => require('fs').writeFileSync('node-host/openapi.json', JSON.stringify(m.openApiDocument, null, 2) + '\n'))"
import { readFile } from 'node:fs/promises'
import { expect, it } from 'vitest'
import { openApiDocument } from '../../node-host/openapi.ts'

it('node-host/openapi.json matches the served document', async () => {
  const file = JSON.parse(await readFile(new URL('../../node-host/openapi.json', import.meta.url), 'utf8'))
  expect(file).toEqual(JSON.parse(JSON.stringify(openApiDocument)))
  expect(file.openapi).toBe('3.1.0')
})
