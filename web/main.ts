// The web app: a full BETASCO node in this tab, and a dashboard over it.
import './style.css'
import { boot } from './boot.ts'
import { mountViews } from './views/app.ts'
import { identityImporter } from './views/import.ts'

const status = document.getElementById('boot-status')!
const base = new URL('./', location.href).href

const appRoot = document.getElementById('app')!
const importer = identityImporter(appRoot)

boot(base, new URLSearchParams(location.search), {
  importer: async (problem) => {
    status.hidden = true
    const files = await importer(problem)
    status.hidden = false
    return files
  },
})
  .then((app) => {
    status.hidden = true
    const ui = mountViews(appRoot, app)
    ;(globalThis as { __betasco?: unknown }).__betasco = { ...app, ui }
  })
  .catch((err: Error) => {
    status.textContent = `The node could not start: ${err.message}`
    status.classList.add('error')
    ;(globalThis as { __betascoError?: string }).__betascoError = err.message
    console.error(err)
  })
